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
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.config import ConfigError, line_of
from flows.model import Cycle, Strategy
from flows.report.strategy_view import area_label, scale

if TYPE_CHECKING:
    from flows.config import _Loader

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


def check_report_file(loader: _Loader, path: Path, strategy: Strategy) -> ReportFile | None:
    """The report file at `path`, or None after recording its problems with `loader`."""
    read = loader.read(path)
    if read is None:
        return None
    data, node = read
    if data is None:
        return ReportFile()
    report: ReportFile | None = loader.validate(path, node, data, ReportFile)
    if report is None:
        return None
    values = [level.value for level in scale(strategy)]
    numbers = {a.number for a in strategy.areas}
    label = area_label(strategy).lower()
    ok = True
    for number, note in report.assessments.items():
        line = line_of(node, ("assessments", number))
        if number not in numbers:
            loader.error(
                path,
                line,
                f"assessments: {label} {number} finns inte i strategin",
                f"använd {label} 1–{len(numbers)}",
            )
            ok = False
        elif note.level is not None and note.level not in values:
            loader.error(
                path,
                line_of(node, ("assessments", number, "level")) or line,
                f"assessments.{number}.level: okänd nivå {note.level!r}",
                f"använd {', '.join(values)}",
            )
            ok = False
    return report if ok else None


def load_report_file(config_dir: Path, cycle: Cycle, strategy: Strategy) -> ReportFile:
    """The cycle's report file, or an empty one when there is none; `ConfigError` (one line)
    on a mistake."""
    from flows.config import _Loader

    path = report_file_path(config_dir, cycle.id)
    if not path.is_file():
        return ReportFile()
    loader = _Loader(Path(config_dir))
    report = check_report_file(loader, path, strategy)
    if loader.findings or report is None:
        raise ConfigError(str(loader.findings[0]) if loader.findings else f"{path}: fel")
    return report
