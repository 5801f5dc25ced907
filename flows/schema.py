"""JSON Schemas for the files under `config/`, generated from the models so an editor checks the
YAML while it is typed (`# yaml-language-server: $schema=../schema/strategy.schema.json`).

Regenerate with `make schema` (`python -m flows.schema config/schema`); a test fails when the
checked-in schemas differ from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from flows.model import Board, Cycle, Municipality, PlannedActivity, SenderPolicy, Strategy

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MunicipalityFile(_File):
    """config/municipality.yaml"""

    municipality: Municipality
    default_cycle: str = Field(
        description="The cycle commands work on unless --cycle or FOLLOWUP_CYCLE says otherwise"
    )
    sender_policy: SenderPolicy | None = Field(
        default=None, description="Which answers count as authentic (docs/operations.md)"
    )


class BoardsFile(_File):
    """config/boards.yaml"""

    boards: list[Board]


def _strategy_schema() -> dict[str, Any]:
    schema = Strategy.model_json_schema()
    # A plain string is still a key figure (summed, no unit): Strategy._plain_indicator_names
    items = schema["properties"]["indicators"]["items"]
    schema["properties"]["indicators"]["items"] = {
        "anyOf": [items, {"type": "string", "description": "A summed key figure without unit"}]
    }
    return schema


def _numbers_as_text(node: Any) -> None:
    """The models read a number where text is expected ("timeframe: 2026") as that text."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"format", "pattern", "enum", "const"} & set(node):
            node["type"] = ["string", "number"]
        for value in node.values():
            _numbers_as_text(value)
    elif isinstance(node, list):
        for value in node:
            _numbers_as_text(value)


def schemas() -> dict[str, dict[str, Any]]:
    """File name → schema."""
    found: dict[str, dict[str, Any]] = {
        "municipality.schema.json": MunicipalityFile.model_json_schema(),
        "boards.schema.json": BoardsFile.model_json_schema(),
        "strategy.schema.json": _strategy_schema(),
        "cycle.schema.json": Cycle.model_json_schema(),
        "action-plan.schema.json": {
            "title": "Action plans of one strategy: board id → planned activities",
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": PlannedActivity.model_json_schema(),
            },
        },
    }
    for schema in found.values():
        _numbers_as_text(schema)
    return {name: {"$schema": SCHEMA_DIALECT, **schema} for name, schema in found.items()}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - `make schema`
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "config/schema")):
        print(path)
