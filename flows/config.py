"""Load and validate `config/`. A mistake gives one Swedish line: the file, the line, what is wrong
and what to do, e.g. `config/boards.yaml:41: kultur.primary.email: ogiltig e-postadress 'x@' —
rätta adressen`. `load_config` stops with the first error (`ConfigError`); `read_config` goes on
and returns every problem, which `followup check` prints.

Layout:
  municipality.yaml           the municipality, the coordinator, the mailbox, default_cycle,
                              sender_policy (optional; docs/operations.md)
  boards.yaml                 boards and company boards with their contacts
  strategies/<id>.yaml        a strategy: title, purpose, areas, statuses, key figures, sections
  schema/*.schema.json        JSON Schemas of these files (generated: `make schema`)
  action-plans/<strategy>.yaml  per board, the planned activities pre-filled in its template
  cycles/<id>.yaml            one strategy followed up for one year
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from flows.model import (
    Board,
    Config,
    Cycle,
    Municipality,
    PlannedActivity,
    SenderPolicy,
    Strategy,
    closest,
)
from flows.swedish import pydantic_choices

DOCS = "docs/configuration.md"
# libyaml's parser when PyYAML has it (ten times faster on a 300-board boards.yaml).
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ConfigError(ValueError):
    """One line a coordinator can act on."""


@dataclass(frozen=True)
class Finding:
    """One problem in the configuration, as one line: `file:line: what — what to do`."""

    level: Literal["error", "warning"]
    path: Path | str  # a str: the FOLLOWUP_ variable (`followup check`)
    line: int | None
    what: str
    todo: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.what} — {self.todo}"


# ---------------------------------------------------------------------- pydantic, in Swedish


def _swedish(err: ErrorDetails) -> tuple[str, str]:
    """What is wrong and what to do, for one pydantic error."""
    kind = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    field_name = next((str(p) for p in reversed(err["loc"]) if isinstance(p, str)), "")
    if kind == "missing":
        return "fältet saknas", f"lägg till '{field_name}:'"
    if kind == "extra_forbidden":
        return "okänt fält", "ta bort det eller rätta stavningen (se " + DOCS + ")"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "ogiltigt datum", "skriv ett datum som finns, ÅÅÅÅ-MM-DD (t.ex. 2027-03-31)"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "ska vara ett heltal", "skriv ett heltal, t.ex. 7"
    if kind in ("bool_parsing", "bool_type"):
        return "ska vara sant eller falskt", "skriv true eller false"
    if kind in ("string_type",):
        return "ska vara text", 'sätt texten inom citattecken, t.ex. "ON"'
    if kind == "string_pattern_mismatch":
        return (
            "har fel form",
            "använd små bokstäver a–z, siffror och bindestreck, t.ex. 'kultur-och-fritidsnamnden'",
        )
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return f"är för litet (minst {limit})", f"skriv ett tal som är minst {limit}"
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        return f"är för stort (högst {limit})", f"skriv ett tal som är högst {limit}"
    if kind == "literal_error":
        return (
            "har ett värde som inte finns",
            f"välj en av {pydantic_choices(ctx.get('expected', ''))}",
        )
    if kind in ("list_type", "tuple_type"):
        return "ska vara en lista", "skriv en lista, t.ex. [14, 3] eller rader som börjar med '- '"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "ska vara en uppsättning fält", "skriv 'namn: värde' på egna rader, indragna"
    if kind == "value_error":
        # Our own validators (flows.model) already speak Swedish.
        return str(err["msg"]).removeprefix("Value error, "), "rätta värdet"
    return "ogiltigt värde", f"se {DOCS}"


def line_of(node: yaml.Node | None, path: tuple[int | str, ...]) -> int | None:
    """The line of the deepest node along `path` that exists (1-based)."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == str(key)), None)
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def _bad_date(node: yaml.Node | None) -> tuple[int, str] | None:
    """The first scalar YAML reads as a date that does not exist (e.g. 2027-02-30)."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.safe_load(node.value)
            except ValueError:
                return node.start_mark.line + 1, node.value
        return None
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        found = _bad_date(child)
        if found:
            return found
    return None


# ---------------------------------------------------------------------- the loader


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


@dataclass
class Sources:
    """Where things were defined: for lines in warnings."""

    municipality: Path | None = None
    boards: dict[str, tuple[Path, int | None]] = field(default_factory=dict)
    cycles: dict[str, tuple[Path, yaml.Node | None]] = field(default_factory=dict)


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.findings: list[Finding] = []
        self.sources = Sources()
        # Ids defined in a file that has an error: not reported again as unknown elsewhere.
        self.broken: set[str] = set()
        self.sender_policy = SenderPolicy()

    def error(self, path: Path, line: int | None, what: str, todo: str) -> None:
        self.findings.append(Finding("error", path, line, what, todo))

    def read(self, path: Path) -> tuple[Any, yaml.Node | None] | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.error(path, None, "filen saknas", f"skapa den (se {DOCS})")
            return None
        except UnicodeDecodeError:
            self.error(path, None, "filen är inte UTF-8", "spara den som UTF-8 i din editor")
            return None
        loader = _YAML_LOADER(text)
        try:
            node = loader.get_single_node()
            return (loader.construct_document(node) if node is not None else None), node
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            self.error(
                path,
                line,
                f"ogiltig YAML ({exc.problem})",
                "kontrollera indrag, kolon och citattecken på raden",
            )
            return None
        except ValueError:  # a date that does not exist: YAML's constructor says no line
            bad = _bad_date(node)
            line, value = bad if bad else (None, "?")
            self.error(
                path,
                line,
                f"datumet {value} finns inte",
                "skriv ett datum som finns, ÅÅÅÅ-MM-DD (t.ex. 2027-03-31)",
            )
            return None
        finally:
            loader.dispose()

    def validate(
        self,
        path: Path,
        node: yaml.Node | None,
        data: Any,
        kind: Any,
        label: str = "",
    ) -> Any:
        """The validated value, or None after recording one line per pydantic error."""
        try:
            return _adapter(kind).validate_python(data)
        except ValidationError as exc:
            for err in exc.errors():
                self._pydantic_error(path, node, data, err, label)
            return None

    def _pydantic_error(
        self,
        path: Path,
        node: yaml.Node | None,
        data: Any,
        err: ErrorDetails,
        label: str,
    ) -> None:
        loc = tuple(err["loc"])
        where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc)
        where = where.replace(".[", "[")
        if loc and isinstance(loc[0], int) and isinstance(data, list) and loc[0] < len(data):
            item = data[loc[0]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                where = item["id"] + where.removeprefix(f"[{loc[0]}]")
        if label:
            where = f"{label}.{where}" if where else label
        what, todo = _swedish(err)
        value = err.get("input")
        shown = (
            f" (fick {value!r})"
            if err["type"] not in ("missing", "extra_forbidden")
            and not isinstance(value, Mapping | list)
            else ""
        )
        line = line_of(node, loc)
        self.error(path, line, f"{where or '(hela filen)'}: {what}{shown}", todo)

    def section(
        self, path: Path, data: Any, node: yaml.Node | None, key: str
    ) -> tuple[Any, yaml.Node | None] | None:
        if not isinstance(data, dict) or key not in data:
            self.error(path, 1, f"nyckeln '{key}:' saknas", f"börja filen med '{key}:'")
            return None
        sub = node
        if isinstance(node, yaml.MappingNode):
            sub = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        return data[key], sub

    def yaml_files(self, directory: Path) -> list[Path]:
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.glob("*.yaml") if p.is_file())

    # ------------------------------------------------------------------ the files

    def load(self) -> Config | None:
        root = self.root
        if not root.is_dir():
            self.error(
                root, None, "konfigurationskatalogen finns inte", "ange rätt FOLLOWUP_CONFIG"
            )
            return None
        municipality, default_cycle = self.municipality(root / "municipality.yaml")
        boards = self.boards(root / "boards.yaml")
        strategies = self.strategies(root / "strategies")
        plans = self.action_plans(root / "action-plans", strategies, boards)
        cycles = self.cycles(root / "cycles", strategies, boards)
        self.report_files(root / "cycles", cycles, strategies)
        if (
            default_cycle is not None
            and cycles
            and default_cycle[0] not in cycles
            and default_cycle[0] not in self.broken
        ):
            name, line = default_cycle
            self.error(
                root / "municipality.yaml",
                line,
                f"default_cycle: okänd cykel {name!r}",
                closest(name, cycles),
            )
        if self.findings or municipality is None or default_cycle is None:
            return None
        return Config(
            municipality=municipality,
            sender_policy=self.sender_policy,
            strategies=strategies,
            boards=boards,
            cycles=cycles,
            action_plans=plans,
            default_cycle=default_cycle[0],
        )

    def report_files(
        self, directory: Path, cycles: dict[str, Cycle], strategies: dict[str, Strategy]
    ) -> None:
        """Check each `<cycle>.report.yaml` (the per-cycle report file) beside its cycle."""
        from flows.report.report_file import SUFFIX, check_report_file

        for path in self.yaml_files(directory):
            if not path.name.endswith(SUFFIX):
                continue
            cycle_id = path.name.removesuffix(SUFFIX)
            cycle = cycles.get(cycle_id)
            if cycle is None:
                if cycle_id not in self.broken:
                    self.error(
                        path,
                        None,
                        f"det finns ingen uppföljning {cycle_id!r} för rapportfilen",
                        closest(cycle_id, cycles),
                    )
                continue
            if cycle.strategy in strategies:
                check_report_file(self, path, strategies[cycle.strategy])

    def municipality(self, path: Path) -> tuple[Municipality | None, tuple[str, int | None] | None]:
        self.sources.municipality = path
        read = self.read(path)
        if read is None:
            return None, None
        data, node = read
        section = self.section(path, data, node, "municipality")
        municipality = None
        if section is not None:
            municipality = self.validate(path, section[1], section[0], Municipality)
        if isinstance(data, dict) and data.get("sender_policy") is not None:
            policy = self.section(path, data, node, "sender_policy")
            if policy is not None:
                found = self.validate(path, policy[1], policy[0], SenderPolicy)
                self.sender_policy = found if found is not None else self.sender_policy
        default_cycle = data.get("default_cycle") if isinstance(data, dict) else None
        if not isinstance(default_cycle, str):
            self.error(
                path,
                line_of(node, ("default_cycle",)),
                "default_cycle saknas",
                "lägg till t.ex. 'default_cycle: hbtqia-2026'",
            )
            return municipality, None
        return municipality, (default_cycle, line_of(node, ("default_cycle",)))

    def boards(self, path: Path) -> dict[str, Board]:
        read = self.read(path)
        if read is None:
            return {}
        section = self.section(path, read[0], read[1], "boards")
        if section is None:
            return {}
        data, node = section
        if not isinstance(data, list):
            self.error(
                path,
                line_of(node, ()),
                "boards: ska vara en lista",
                "skriv en nämnd per rad som börjar med '- id:'",
            )
            return {}
        boards: dict[str, Board] = {}
        codes: dict[str, str] = {}
        for i, item in enumerate(data):
            item_node = node.value[i] if isinstance(node, yaml.SequenceNode) else None
            label = str(item["id"]) if isinstance(item, dict) and "id" in item else f"[{i}]"
            board: Board | None = self.validate(path, item_node, item, Board, label=label)
            line = line_of(node, (i,))
            if board is None:
                self.broken.add(label)
                continue
            if board.id in boards:
                self.error(path, line, f"nämnden {board.id!r} finns två gånger", "ta bort den ena")
                continue
            if board.code in codes:
                self.error(
                    path,
                    line_of(node, (i, "code")),
                    f"koden {board.code!r} används redan (av {codes[board.code]})",
                    "välj en egen kod för varje nämnd",
                )
                continue
            boards[board.id] = board
            codes[board.code] = board.id
            self.sources.boards[board.id] = (path, line)
        return boards

    def strategies(self, directory: Path) -> dict[str, Strategy]:
        strategies: dict[str, Strategy] = {}
        files = self.yaml_files(directory)
        if not files:
            self.error(directory, None, "ingen strategi hittades", "lägg en <id>.yaml här")
        for path in files:
            read = self.read(path)
            if read is None:
                self.broken.add(path.stem)
                continue
            strategy: Strategy | None = self.validate(path, read[1], read[0], Strategy)
            if strategy is None:
                self.broken.add(path.stem)
                continue
            if strategy.id != path.stem:
                self.error(
                    path,
                    line_of(read[1], ("id",)),
                    f"id {strategy.id!r} är inte filens namn {path.stem!r}",
                    "byt id eller filnamn så att de är lika",
                )
                continue
            strategies[strategy.id] = strategy
        return strategies

    def action_plans(
        self, directory: Path, strategies: dict[str, Strategy], boards: dict[str, Board]
    ) -> dict[str, dict[str, list[PlannedActivity]]]:
        plans: dict[str, dict[str, list[PlannedActivity]]] = {}
        for path in self.yaml_files(directory):
            if strategies and path.stem not in strategies and path.stem not in self.broken:
                self.error(
                    path,
                    None,
                    f"det finns ingen strategi {path.stem!r} i strategies/",
                    f"döp om filen; {closest(path.stem, strategies)}",
                )
                continue
            read = self.read(path)
            if read is None:
                continue
            data, node = read
            parsed: dict[str, list[PlannedActivity]] | None = self.validate(
                path, node, data or {}, dict[str, list[PlannedActivity]]
            )
            if parsed is None:
                continue
            strategy = strategies.get(path.stem)
            n_areas = len(strategy.areas) if strategy else 0
            label = strategy.area_label.lower() if strategy else "strategiområde"
            for board_id, activities in parsed.items():
                if board_id in self.broken:
                    continue
                if boards and board_id not in boards:
                    self.error(
                        path,
                        line_of(node, (board_id,)),
                        f"okänd nämnd {board_id!r}",
                        closest(board_id, boards),
                    )
                    continue
                for i, act in enumerate(activities):
                    if (strategy and act.area > n_areas) or not act.nr.startswith(f"{act.area}."):
                        self.error(
                            path,
                            line_of(node, (board_id, i)),
                            f"{board_id}[{i}]: aktivitet {act.nr} hör inte till {label} "
                            f"{act.area} (1–{n_areas})",
                            "rätta area eller nr så att de stämmer",
                        )
            plans[path.stem] = parsed
        return plans

    def cycles(
        self, directory: Path, strategies: dict[str, Strategy], boards: dict[str, Board]
    ) -> dict[str, Cycle]:
        cycles: dict[str, Cycle] = {}
        codes: dict[str, str] = {}
        # <cycle>.report.yaml is the office's additions for the report (flows.report.report_file)
        files = [p for p in self.yaml_files(directory) if not p.name.endswith(".report.yaml")]
        if not files:
            self.error(
                directory, None, "ingen uppföljning (cykel) hittades", "lägg en <id>.yaml här"
            )
        for path in files:
            read = self.read(path)
            if read is None:
                self.broken.add(path.stem)
                continue
            data, node = read
            cycle: Cycle | None = self.validate(path, node, data, Cycle)
            if cycle is None:
                self.broken.add(path.stem)
                continue
            ok = True
            if cycle.id != path.stem:
                self.error(
                    path,
                    line_of(node, ("id",)),
                    f"id {cycle.id!r} är inte filens namn {path.stem!r}",
                    "byt id eller filnamn så att de är lika",
                )
                ok = False
            if (
                strategies
                and cycle.strategy not in strategies
                and cycle.strategy not in self.broken
            ):
                self.error(
                    path,
                    line_of(node, ("strategy",)),
                    f"okänd strategi {cycle.strategy!r}",
                    closest(cycle.strategy, strategies),
                )
                ok = False
            if cycle.boards != "all" and boards:
                for i, b in enumerate(cycle.boards):
                    if b not in boards and b not in self.broken:
                        self.error(
                            path,
                            line_of(node, ("boards", i)),
                            f"okänd nämnd {b!r}",
                            closest(b, boards),
                        )
                        ok = False
            if cycle.code in codes:
                self.error(
                    path,
                    line_of(node, ("code",)),
                    f"koden {cycle.code!r} används redan (av {codes[cycle.code]})",
                    "välj en egen kod för varje uppföljning",
                )
                ok = False
            if ok:
                cycles[cycle.id] = cycle
                codes[cycle.code] = cycle.id
                self.sources.cycles[cycle.id] = (path, node)
        for cycle in cycles.values():
            if (
                cycle.previous
                and cycle.previous not in cycles
                and cycle.previous not in self.broken
            ):
                path, node = self.sources.cycles[cycle.id]
                self.error(
                    path,
                    line_of(node, ("previous",)),
                    f"previous: okänd cykel {cycle.previous!r}",
                    closest(cycle.previous, cycles),
                )
        return cycles


def read_config(root: Path) -> tuple[Config | None, list[Finding], Sources]:
    """Every file read and checked: the config (None if anything is wrong), the errors found,
    and where boards and cycles were defined."""
    loader = _Loader(root)
    config = loader.load()
    return config, loader.findings, loader.sources


def load_config(root: Path) -> Config:
    """The configuration, or `ConfigError` with the first problem as one Swedish line."""
    config, findings, _sources = read_config(root)
    if findings:
        more = len(findings) - 1
        suffix = f" (och {more} fel till: kör 'followup check')" if more else ""
        raise ConfigError(f"{findings[0]}{suffix}")
    assert config is not None
    return config
