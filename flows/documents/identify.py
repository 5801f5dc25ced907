"""Which board's template for which cycle a document is: from its custom document properties, or,
where they were lost (a copy, an export, another editor), from the reference code in its footer
or text.

The reader reports what it found; whether a known cycle is the one being collected is for the
caller (it can pass `expected_cycle`). Unknown boards, cycles and references are errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from flows.documents.problems import problem
from flows.model import Board, Config, Cycle, Problem
from flows.references import find_references, resolve_reference

_VT_TEXT_TAGS = ("lpwstr", "lpstr", "bstr", "i4", "i8", "int", "ui4", "r8", "decimal")


@dataclass
class Identity:
    board: str | None = None
    cycle: str | None = None
    template_version: int | None = None
    problems: list[Problem] = field(default_factory=list)


def custom_properties(root: etree._Element | None) -> dict[str, str]:
    """Name → text value of the user-defined document properties."""
    if root is None:
        return {}
    result = {}
    for prop in root:
        name = prop.get("name")
        if not name:
            continue
        for value in prop:
            if etree.QName(value).localname in _VT_TEXT_TAGS:
                result[name] = (value.text or "").strip()
                break
    return result


def identify(
    config: Config,
    properties: dict[str, str],
    texts: Iterable[str],
    expected_cycle: str | None = None,
) -> Identity:
    """Identify from `properties`, else from a reference code in `texts` (footers first)."""
    identity = Identity()
    board_id = properties.get("followup_board") or None
    cycle_id = properties.get("followup_cycle") or None
    version = properties.get("followup_template_version", "")
    if version:
        try:
            identity.template_version = int(version)
        except ValueError:
            identity.problems.append(problem("template.bad_version", value=version))

    ref_found, resolved = _reference(config, properties, texts)

    if board_id is None and cycle_id is None:
        if resolved is not None:
            board_id, cycle_id = resolved[1].id, resolved[0].id
        elif ref_found is not None:
            identity.problems.append(problem("template.unknown_reference", ref=ref_found))
            return identity
        else:
            identity.problems.append(problem("template.unidentified"))
            return identity
    elif resolved is not None and (resolved[1].id, resolved[0].id) != (board_id, cycle_id):
        identity.problems.append(
            problem(
                "template.identity_conflict",
                props=f"{board_id} ({cycle_id})",
                ref=f"{resolved[1].id} ({resolved[0].id})",
            )
        )

    identity.board, identity.cycle = board_id, cycle_id
    if board_id is None or board_id not in config.boards:
        identity.problems.append(problem("template.unknown_board", board=board_id or "saknas"))
    if cycle_id is None or cycle_id not in config.cycles:
        identity.problems.append(problem("template.unknown_cycle", cycle=cycle_id or "saknas"))
    if identity.problems and any(p.level == "error" for p in identity.problems):
        return identity
    assert board_id is not None and cycle_id is not None
    cycle = config.cycles[cycle_id]
    board = config.boards[board_id]
    if board not in config.boards_in(cycle):
        identity.problems.append(
            problem("template.board_not_in_cycle", board_name=board.name, cycle=cycle_id)
        )
    if expected_cycle is not None and cycle_id != expected_cycle:
        identity.problems.append(
            problem("template.wrong_cycle", found=cycle_id, expected=expected_cycle)
        )
    return identity


def _reference(
    config: Config, properties: dict[str, str], texts: Iterable[str]
) -> tuple[str | None, tuple[Cycle, Board] | None]:
    """The first reference code that resolves (property first, then `texts` in order), or the
    first well-formed one if none resolves."""
    first: str | None = None

    def candidates() -> Iterable[str]:
        if properties.get("followup_ref"):
            yield properties["followup_ref"]
        for text in texts:
            yield from find_references(text)

    for code in candidates():
        first = first or code
        resolved = resolve_reference(config, code)
        if resolved is not None:
            return code, resolved
    return first, None
