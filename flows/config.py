"""Load and validate `config/`. A mistake gives one line: the file, the line, the place and what
is wrong, e.g. `config/boards.yaml:41: kultur.primary.email: ogiltig e-postadress: 'x@'`.

Layout:
  municipality.yaml           the municipality, the coordinator, the mailbox, default_cycle
  boards.yaml                 boards and company boards with their contacts
  strategies/<id>.yaml        a strategy: title, purpose, areas, statuses, key figures, sections
  schema/*.schema.json        JSON Schemas of these files (generated: `make schema`)
  action-plans/<strategy>.yaml  per board, the planned activities pre-filled in its template
  cycles/<id>.yaml            one strategy followed up for one year
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from flows.model import Board, Config, Cycle, Municipality, PlannedActivity, Strategy

T = TypeVar("T")


class ConfigError(ValueError):
    """One line a coordinator can act on."""


def _line_of(node: yaml.Node | None, path: tuple[int | str, ...]) -> int | None:
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def _read(path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: filen saknas") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: filen är inte UTF-8") from None
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{path}:{line}: ogiltig YAML: {exc.problem}") from None


def _validate(
    path: Path, node: yaml.Node | None, data: Any, kind: Any, prefix: tuple[int | str, ...] = ()
) -> Any:
    try:
        return TypeAdapter(kind).validate_python(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc)
        where = where.replace(".[", "[")
        if loc and isinstance(loc[0], int) and isinstance(data, list) and loc[0] < len(data):
            item = data[loc[0]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                where = item["id"] + where.removeprefix(f"[{loc[0]}]")
        line = _line_of(node, prefix + loc)
        message = err["msg"].removeprefix("Value error, ")
        suffix = (
            f" (fick {err['input']!r})"
            if err["type"] != "missing" and not isinstance(err.get("input"), Mapping | list)
            else ""
        )
        raise ConfigError(
            f"{path}{f':{line}' if line else ''}: {where or '(hela filen)'}: {message}{suffix}"
        ) from None


def _section(
    path: Path, data: Any, node: yaml.Node | None, key: str
) -> tuple[Any, yaml.Node | None]:
    if not isinstance(data, dict) or key not in data:
        raise ConfigError(f"{path}: nyckeln '{key}:' saknas")
    sub = _line_node(node, key)
    return data[key], sub


def _line_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if getattr(k, "value", None) == key), None)
    return None


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.is_file()) if directory.is_dir() else []


def load_config(root: Path) -> Config:
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"{root}: konfigurationskatalogen finns inte (FOLLOWUP_CONFIG)")

    path = root / "municipality.yaml"
    data, node = _read(path)
    muni_data, muni_node = _section(path, data, node, "municipality")
    municipality = _validate(path, muni_node, muni_data, Municipality)
    default_cycle = data.get("default_cycle")
    if not isinstance(default_cycle, str):
        raise ConfigError(f"{path}: default_cycle saknas (t.ex. 'default_cycle: hbtqia-2026')")

    path = root / "boards.yaml"
    data, node = _read(path)
    boards_data, boards_node = _section(path, data, node, "boards")
    board_list: list[Board] = _validate(path, boards_node, boards_data, list[Board])
    boards: dict[str, Board] = {}
    for i, board in enumerate(board_list):
        if board.id in boards:
            raise ConfigError(
                f"{path}:{_line_of(boards_node, (i,))}: nämnden {board.id!r} finns två gånger"
            )
        if any(b.code == board.code for b in boards.values()):
            raise ConfigError(
                f"{path}:{_line_of(boards_node, (i, 'code'))}: koden {board.code!r} används redan"
            )
        boards[board.id] = board

    strategies: dict[str, Strategy] = {}
    for path in _yaml_files(root / "strategies"):
        data, node = _read(path)
        strategy: Strategy = _validate(path, node, data, Strategy)
        if strategy.id != path.stem:
            raise ConfigError(
                f"{path}: id {strategy.id!r} ska vara samma som filnamnet {path.stem!r}"
            )
        strategies[strategy.id] = strategy
    if not strategies:
        raise ConfigError(f"{root / 'strategies'}: ingen strategi hittades (*.yaml)")

    plans: dict[str, dict[str, list[PlannedActivity]]] = {}
    for path in _yaml_files(root / "action-plans"):
        data, node = _read(path)
        if path.stem not in strategies:
            raise ConfigError(f"{path}: det finns ingen strategi {path.stem!r} i strategies/")
        parsed: dict[str, list[PlannedActivity]] = _validate(
            path, node, data or {}, dict[str, list[PlannedActivity]]
        )
        n_areas = len(strategies[path.stem].areas)
        label = strategies[path.stem].area_label.lower()
        for board_id, activities in parsed.items():
            if board_id not in boards:
                raise ConfigError(f"{path}:{_line_of(node, (board_id,))}: okänd nämnd {board_id!r}")
            for i, act in enumerate(activities):
                if act.area > n_areas or not act.nr.startswith(f"{act.area}."):
                    raise ConfigError(
                        f"{path}:{_line_of(node, (board_id, i))}: {board_id}[{i}]: "
                        f"aktivitet {act.nr} hör inte till {label} {act.area} (1–{n_areas})"
                    )
        plans[path.stem] = parsed

    cycles: dict[str, Cycle] = {}
    for path in _yaml_files(root / "cycles"):
        data, node = _read(path)
        cycle: Cycle = _validate(path, node, data, Cycle)
        if cycle.id != path.stem:
            raise ConfigError(f"{path}: id {cycle.id!r} ska vara samma som filnamnet {path.stem!r}")
        if cycle.strategy not in strategies:
            raise ConfigError(
                f"{path}:{_line_of(node, ('strategy',))}: okänd strategi {cycle.strategy!r}"
            )
        if cycle.boards != "all":
            for i, b in enumerate(cycle.boards):
                if b not in boards:
                    raise ConfigError(f"{path}:{_line_of(node, ('boards', i))}: okänd nämnd {b!r}")
        if any(c.code == cycle.code for c in cycles.values()):
            raise ConfigError(
                f"{path}:{_line_of(node, ('code',))}: koden {cycle.code!r} används redan"
            )
        cycles[cycle.id] = cycle
    for cycle in cycles.values():
        if cycle.previous and cycle.previous not in cycles:
            raise ConfigError(
                f"{root / 'cycles' / f'{cycle.id}.yaml'}: previous: okänd cykel {cycle.previous!r}"
            )
    if default_cycle not in cycles:
        raise ConfigError(
            f"{root / 'municipality.yaml'}: default_cycle: okänd cykel {default_cycle!r}"
        )

    return Config(
        municipality=municipality,
        strategies=strategies,
        boards=boards,
        cycles=cycles,
        action_plans=plans,
        default_cycle=default_cycle,
    )
