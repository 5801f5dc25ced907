"""The per-cycle report file, `config/cycles/<cycle-id>.report.yaml` (optional): what the office
adds to the boards' answers before the document goes to the council.

```yaml
assessments:              # per area number; each key optional
  1:
    level: delvis         # a value of the strategy's assessment_scale
    text: Arbetet har kommit i gång i de flesta nämnder, men ...
analysis: |               # the office's overall analysis (paragraphs separated by a blank line)
  ...
decision:                 # the proposed decision: the "att ..." clauses (default: see below)
  - godkänna uppföljningen av Hbtqia+-strategin för 2026
  - lägga uppföljningen till handlingarna
```

Loaded with the same one-line Swedish errors as the rest of `config/` (`flows.config`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.config import ConfigError, _line_of, _read, _validate
from flows.model import Cycle, Strategy
from flows.report.strategy_view import area_label, scale

SUFFIX = ".report.yaml"


class AreaNote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: str | None = Field(default=None, description="A value of the assessment scale")
    text: str = ""

    @field_validator("text", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return "" if value is None else value


class ReportFile(BaseModel):
    """The coordinator's additions for one cycle; everything optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    assessments: dict[int, AreaNote] = Field(default_factory=dict)
    analysis: str = ""
    decision: list[str] = Field(default_factory=list)

    @field_validator("decision", mode="before")
    @classmethod
    def _one_clause(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("decision")
    @classmethod
    def _clauses(cls, value: list[str]) -> list[str]:
        clauses = [" ".join(c.split()) for c in value]
        clauses = [c.removeprefix("att ").strip() for c in clauses]
        return [c.rstrip(".;,") for c in clauses if c]


def report_file_path(config_dir: Path, cycle_id: str) -> Path:
    return Path(config_dir) / "cycles" / f"{cycle_id}{SUFFIX}"


def load_report_file(config_dir: Path, cycle: Cycle, strategy: Strategy) -> ReportFile:
    """The cycle's report file, or an empty one when there is none."""
    path = report_file_path(config_dir, cycle.id)
    if not path.is_file():
        return ReportFile()
    data, node = _read(path)
    if data is None:
        return ReportFile()
    report: ReportFile = _validate(path, node, data, ReportFile)
    values = [level.value for level in scale(strategy)]
    numbers = {a.number for a in strategy.areas}
    for number, note in report.assessments.items():
        line = _line_of(node, ("assessments", number))
        where = f"{path}:{line}" if line else str(path)
        if number not in numbers:
            raise ConfigError(
                f"{where}: assessments: {area_label(strategy).lower()} {number} finns inte i "
                f"strategin (1–{len(numbers)})"
            )
        if note.level is not None and note.level not in values:
            raise ConfigError(
                f"{where}: assessments.{number}.level: okänd nivå {note.level!r} — använd "
                f"{', '.join(values)}"
            )
    return report
