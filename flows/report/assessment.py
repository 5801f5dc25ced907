"""The office's assessment of goal fulfilment per strategy area: a suggestion from the statuses,
set or overridden by the coordinator in the per-cycle report file. Pure functions.

The suggestion rule (also in docs/configuration.md, "The per-cycle report file"):

- Activities whose status is finished but is not the first finished status (by default "Utgår")
  were dropped and do not count.
- Every other activity scores: 1 for the first finished status ("Genomförd"), 0 for the last
  unfinished status ("Ej påbörjad"), ½ for any status in between ("Pågående"), and 0 when the
  board gave no status we could read ("Ej angiven": no evidence of progress).
- The area's score is the mean. With a scale of n levels (best first), the suggestion is the
  level nearest to the score: level index ⌊(1 − score)·(n − 1) + ½⌋. For the default three
  levels: "Uppfyllt" above 0.75, "Delvis uppfyllt" above 0.25 up to 0.75, "Ej uppfyllt" at or
  below 0.25.
- An area without any counted activity gets no suggestion.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from flows.report.strategy_view import Level, StatusVocabulary


@dataclass(frozen=True)
class Tally:
    """What the suggestion was computed from."""

    counted: int
    done: int
    under_way: int
    dropped: int
    unknown: int

    @property
    def score(self) -> float | None:
        if self.counted == 0:
            return None
        return (self.done + 0.5 * self.under_way) / self.counted


@dataclass(frozen=True)
class AreaAssessment:
    area: int
    level: Level | None  # what the report shows (None: no assessment at all)
    suggested: Level | None
    source: Literal["office", "suggested", "none"]
    text: str
    tally: Tally

    @property
    def overridden(self) -> bool:
        """The coordinator chose another level than the suggestion."""
        return self.source == "office" and self.level != self.suggested


def tally(statuses: Iterable[str | None], vocabulary: StatusVocabulary) -> Tally:
    done = under_way = dropped = unknown = counted = 0
    for status in statuses:
        if status is None or status not in vocabulary.values:
            unknown += 1
            counted += 1
        elif status == vocabulary.done:
            done += 1
            counted += 1
        elif status in vocabulary.finished:
            dropped += 1
        else:
            counted += 1
            if status != vocabulary.not_started:
                under_way += 1
    return Tally(counted, done, under_way, dropped, unknown)


def suggest(counts: Tally, scale: Sequence[Level]) -> Level | None:
    """The level nearest to the area's score (see the module's docstring)."""
    score = counts.score
    if score is None or not scale:
        return None
    index = math.floor((1.0 - score) * (len(scale) - 1) + 0.5)
    return scale[min(max(index, 0), len(scale) - 1)]


def assess(
    area: int,
    statuses: Iterable[str | None],
    vocabulary: StatusVocabulary,
    scale: Sequence[Level],
    chosen: str | None = None,
    text: str = "",
) -> AreaAssessment:
    """The area's assessment: the coordinator's level (`chosen`, a scale value) if given, else
    the suggestion. `chosen` must be on the scale (the report file's loader checks it)."""
    counts = tally(statuses, vocabulary)
    suggested = suggest(counts, scale)
    if chosen is not None:
        level = next((lv for lv in scale if lv.value == chosen), None)
        if level is None:
            raise ValueError(f"nivån {chosen!r} finns inte på skalan")
        return AreaAssessment(area, level, suggested, "office", text, counts)
    if suggested is None:
        return AreaAssessment(area, None, None, "none", text, counts)
    return AreaAssessment(area, suggested, suggested, "suggested", text, counts)
