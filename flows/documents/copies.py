"""Several filled-in templates in one message: which one is the board's answer. Pure.

Boards attach an earlier draft beside the final copy, the same file twice, or a colleague's copy.
Intake (flows.intake) decides what a message means; this gives it the reader's side: given the
templates of one message as read, in attachment order, the copy to take and why, in Swedish for
the receipt and the coordinator.

The rule, in order: copies that could not be read as a template, or that belong to another board
or cycle than the rest, are no candidates (copies of different boards: no choice, the coordinator
decides); a copy without errors beats one with errors; the copy with the most answered is taken
(statuses, comments, key figures, free texts, decision); on a tie, the last attached (a person
attaches the final version last, or Outlook lists the latest save last). Copies with exactly the
same answers as the chosen one are duplicates, not competing answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flows.model import ParsedTemplate


@dataclass(frozen=True)
class CopyChoice:
    index: int | None  # the chosen copy's position in the message, None: no choice to make
    reasons: tuple[str, ...]  # Swedish sentences; empty when there was only one template
    duplicates: tuple[int, ...] = ()  # other copies with the same answers as the chosen one
    conflicting: bool = False  # the copies are of different boards or cycles


def answered(parsed: ParsedTemplate) -> int:
    """How much of the template is filled in: one point per answered field."""
    points = 0
    for a in parsed.activities:
        points += bool(a.status_text) + bool(a.comment)
    points += sum(bool(i.value_text) + bool(i.comment) for i in parsed.indicators)
    points += bool(parsed.texts.analysis) + bool(parsed.texts.support)
    points += (parsed.decision.date is not None) + bool(parsed.decision.paragraph)
    return points


def _answers(parsed: ParsedTemplate) -> str:
    return parsed.model_dump_json(exclude={"file", "problems"})


def _is_template(parsed: ParsedTemplate) -> bool:
    return not parsed.unreadable and bool(parsed.board or parsed.cycle or parsed.activities)


def choose_copy(copies: Sequence[ParsedTemplate]) -> CopyChoice:
    """The copy of one message's templates that is the board's answer (see the module text)."""
    candidates = [i for i, c in enumerate(copies) if _is_template(c)]
    if not candidates:
        return CopyChoice(None, ())
    if len(candidates) == 1:
        return CopyChoice(candidates[0], ())
    identities = {(copies[i].board, copies[i].cycle) for i in candidates}
    known = {identity for identity in identities if identity != (None, None)}
    if len(known) > 1:
        names = ", ".join(f"”{copies[i].file}”" for i in candidates)
        return CopyChoice(
            None,
            (
                f"Meddelandet innehåller mallar för olika nämnder eller uppföljningar ({names}). "
                "Skicka en mall per meddelande.",
            ),
            conflicting=True,
        )
    best = max(
        candidates,
        key=lambda i: (copies[i].is_valid, answered(copies[i]), i),
    )
    chosen = copies[best]
    same = tuple(i for i in candidates if i != best and _answers(copies[i]) == _answers(chosen))
    others = [i for i in candidates if i != best and i not in same]
    reasons = [f"Meddelandet innehöll {len(candidates)} ifyllda mallar; ”{chosen.file}” lästes in."]
    if same and not others:
        reasons.append("De andra kopiorna hade samma svar.")
    elif others:
        beaten_by_errors = [i for i in others if not copies[i].is_valid and chosen.is_valid]
        if len(beaten_by_errors) == len(others):
            reasons.append("De andra kopiorna hade fel som behöver rättas.")
        elif all(answered(copies[i]) < answered(chosen) for i in others):
            reasons.append("Den är mest ifylld av kopiorna.")
        else:
            reasons.append("Kopiorna var lika ifyllda; den sist bifogade räknas.")
        reasons.append(
            "Var det fel fil? Svara med bara den mall som gäller, så räknas den i stället."
        )
    return CopyChoice(best, tuple(reasons), duplicates=same)
