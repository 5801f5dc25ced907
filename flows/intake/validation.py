"""Can a read template be accepted as a board's answer for a cycle? The reader reports what it
found in the document; these checks add what only the context knows (whose, which year)."""

from __future__ import annotations

from flows.model import Board, Config, Cycle, ParsedTemplate, Problem


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def submission_problems(
    config: Config, cycle: Cycle, board: Board, parsed: ParsedTemplate
) -> list[Problem]:
    """Problems of `parsed` as `board`'s answer for `cycle`, in addition to the reader's."""
    if parsed.unreadable:
        return []  # the reader's file.* error already says what to do
    problems: list[Problem] = []
    if parsed.board and parsed.board != board.id:
        owner = config.boards.get(parsed.board)
        owner_name = owner.name if owner else parsed.board
        problems.append(
            Problem(
                level="error",
                code="intake.wrong_board",
                message=(
                    f"Mallen som skickades är {owner_name}s mall, inte {board.name}s. "
                    f"Använd mallen som bifogades i {board.name}s inbjudan."
                ),
                where="Dokumentegenskaper",
            )
        )
    if parsed.cycle and parsed.cycle != cycle.id:
        other = config.cycles.get(parsed.cycle)
        if other is not None and other.strategy == cycle.strategy and other.year < cycle.year:
            message = (
                f"Mallen är förra årets mall (uppföljningen av {other.year}). Använd mallen för "
                f"{cycle.year} som bifogades i inbjudan, och för över era uppgifter till den."
            )
        else:
            label = f"uppföljningen av {other.year}" if other else parsed.cycle
            message = (
                f"Mallen hör till en annan uppföljning ({label}). Använd mallen för "
                f"{cycle.year} som bifogades i inbjudan."
            )
        problems.append(
            Problem(
                level="error",
                code="intake.wrong_cycle",
                message=message,
                where="Dokumentegenskaper",
            )
        )
    if parsed.template_version is not None and parsed.template_version < cycle.template_version:
        problems.append(
            Problem(
                level="warning",
                code="intake.old_template_version",
                message=(
                    "Mallen är en äldre version än den som skickades ut. Uppgifterna har lästs in, "
                    "men använd gärna den senaste mallen nästa gång."
                ),
                where="Dokumentegenskaper",
            )
        )
    if not parsed.activities:
        problems.append(
            Problem(
                level="error",
                code="intake.no_activities",
                message=(
                    "Vi hittade inga aktiviteter i mallen. Fyll i tabellerna under "
                    "strategiområdena (minst en aktivitet med status)."
                ),
                where="Aktivitetstabellerna",
            )
        )
    missing = [a for a in parsed.activities if a.status is None and not a.status_text.strip()]
    for row in missing:
        label = f"{row.nr} " if row.nr else ""
        problems.append(
            Problem(
                level="error",
                code="intake.status_missing",
                message=(
                    f"Status saknas för aktivitet {label}”{_short(row.activity)}”. Välj "
                    "Genomförd, Pågående, Ej påbörjad eller Utgår."
                ),
                where=f"Strategiområde {row.area}",
            )
        )
    return problems


# Reader problems made moot by what the email told, or said more precisely by ours.
_SUPERSEDED_BY = {
    "intake.wrong_cycle": "template.wrong_cycle",
    "intake.no_activities": "template.no_activities",
}


def combined_problems(
    config: Config, cycle: Cycle, board: Board, parsed: ParsedTemplate, *, by_email: bool = False
) -> list[Problem]:
    """The reader's problems and ours, without saying the same thing twice.

    `by_email`: the board is known from the message (reference code, sender), so a document
    that lost its identity can still be accepted.
    """
    ours = submission_problems(config, cycle, board, parsed)
    reader = list(parsed.problems)
    if by_email:
        reader = [p for p in reader if p.code != "template.unidentified"]
    reader_codes = {p.code for p in reader}
    ours = [p for p in ours if _SUPERSEDED_BY.get(p.code) not in reader_codes]
    if any(p.code == "intake.status_missing" for p in ours):
        reader = [p for p in reader if p.code != "status.missing"]
    return reader + ours
