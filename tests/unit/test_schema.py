"""The JSON Schemas under config/schema/ are the models' own, and every config file passes them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]  # a dependency of prefect; no stubs in the lock
import pytest
import yaml

from flows.schema import render, schemas

SCHEMA_FOR = {
    "municipality.yaml": "municipality.schema.json",
    "boards.yaml": "boards.schema.json",
    "strategies": "strategy.schema.json",
    "cycles": "cycle.schema.json",
    "action-plans": "action-plan.schema.json",
}


def test_checked_in_schemas_are_generated_from_the_models(config_dir: Path) -> None:
    for name, schema in schemas().items():
        path = config_dir / "schema" / name
        assert path.read_text(encoding="utf-8") == render(schema), f"run `make schema` ({name})"


def _files(config_dir: Path) -> list[tuple[Path, str]]:
    found = []
    for where, schema in SCHEMA_FOR.items():
        path = config_dir / where
        for file in sorted(path.glob("*.yaml")) if path.is_dir() else [path]:
            if file.name.endswith(".report.yaml"):
                continue  # the per-cycle report file (issue 13) is not a cycle
            found.append((file, schema))
    return found


def test_every_config_file_names_and_passes_its_schema(config_dir: Path) -> None:
    files = _files(config_dir)
    assert len(files) >= 8
    for file, schema_name in files:
        text = file.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), file
        schema_path = (file.parent / first.split("$schema=", 1)[1]).resolve()
        assert schema_path.name == schema_name
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        # dates as the editor sees them: strings in ISO form
        data = json.loads(json.dumps(yaml.safe_load(text), default=str))
        jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"area_label": ["Målområde"]}, "is not of type"),
        ({"areas": [{"number": 1, "goal": "Mål.", "subtitle": "x"}]}, "Additional properties"),
        ({"indicators": [{"name": "A", "aggregate": "median"}]}, "'median' is not one of"),
    ],
)
def test_schema_flags_what_the_loader_refuses(
    config_dir: Path, change: dict[str, object], complaint: str
) -> None:
    data = yaml.safe_load((config_dir / "strategies" / "hbtqia.yaml").read_text(encoding="utf-8"))
    data.update(change)
    with pytest.raises(jsonschema.ValidationError) as info:
        jsonschema.validate(data, schemas()["strategy.schema.json"])
    assert complaint in str(info.value)
