"""Domain types: the configuration (strategy, boards, cycles) and what a board's answer contains.

Configuration types are validated on load (see `flows.config`); parse results are what
`flows.documents.reader` produces and what `followup parse --json` prints (DESIGN.md §4).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
CODE_RE = re.compile(r"^(?=[A-Z0-9]*[A-Z])[A-Z0-9]{2,8}$")


def _email(value: str) -> str:
    if not EMAIL_RE.match(value):
        raise ValueError(f"ogiltig e-postadress: {value!r}")
    return value.lower()


def _code(value: str) -> str:
    if not CODE_RE.match(value):
        raise ValueError("code ska vara 2–8 versaler eller siffror, minst en versal")
    return value


EmailAddress = Annotated[str, AfterValidator(_email)]
ShortCode = Annotated[str, AfterValidator(_code)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


# --------------------------------------------------------------------------- configuration


class Contact(_Strict):
    name: str
    email: EmailAddress
    title: str = ""


class Board(_Strict):
    """A board (nämnd) or a municipal company board (bolagsstyrelse)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    code: ShortCode = Field(description="Short upper-case code used in reference codes, e.g. KFN")
    name: str
    kind: Literal["nämnd", "bolagsstyrelse"] = "nämnd"
    administration: str = ""
    primary: Contact
    secretary: Contact
    escalation: Contact

    @property
    def contacts(self) -> list[Contact]:
        """Primary contact and secretary: who receives the messages (escalation only when due)."""
        seen: dict[str, Contact] = {}
        for contact in (self.primary, self.secretary):
            seen.setdefault(contact.email, contact)
        return list(seen.values())

    @property
    def all_emails(self) -> set[str]:
        """Every address allowed to submit for this board."""
        return {self.primary.email, self.secretary.email, self.escalation.email}


class Area(_Strict):
    """A strategy area (strategiområde)."""

    number: int = Field(ge=1)
    goal: str
    description: str = ""


class Strategy(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    short_title: str
    period: str
    adopted_by: str = "Kommunfullmäktige"
    purpose: str
    basis: str = ""
    areas: list[Area]
    indicators: list[str] = Field(
        default_factory=list, description="Key figures asked of every board"
    )

    @model_validator(mode="after")
    def _areas_numbered(self) -> Strategy:
        numbers = [a.number for a in self.areas]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError("strategiområdena ska numreras 1, 2, 3 … i ordning")
        return self

    def area(self, number: int) -> Area | None:
        return next((a for a in self.areas if a.number == number), None)


class PlannedActivity(_Strict):
    """An activity from a board's action plan, pre-filled in its template."""

    area: int = Field(ge=1)
    nr: str = Field(pattern=r"^\d+\.\d+$")
    activity: str
    responsible: str = ""
    timeframe: str = ""


class ReminderPlan(_Strict):
    invitation_weeks_before: int = Field(default=8, ge=1)
    reminder_days_before: list[int] = Field(default_factory=lambda: [14, 3])
    on_deadline: bool = True
    overdue_every_days: int = Field(default=7, ge=1)
    escalate_after_days: int = Field(default=7, ge=0)
    max_overdue_reminders: int = Field(default=6, ge=0)
    resubmit_after_days: int = Field(
        default=3, ge=0, description="Days after a rejected answer to ask again for a new one"
    )
    late_invitation: bool = Field(
        default=False,
        description=(
            "Invite boards not yet invited also after the deadline (worded as a late invitation);"
            " by default nobody is invited once the deadline has passed"
        ),
    )


class Cycle(_Strict):
    """One strategy followed up for one year, e.g. hbtqia-2026 (activities of 2026)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    code: ShortCode = Field(description="Short upper-case code used in reference codes, e.g. HBT26")
    strategy: str
    year: int
    deadline: dt.date
    council_meeting: dt.date
    compile_on: dt.date | None = None
    diary_number: str = ""
    previous: str | None = None
    boards: list[str] | Literal["all"] = "all"
    plan: ReminderPlan = Field(default_factory=ReminderPlan)
    require_approval: bool = False
    template_version: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _dates(self) -> Cycle:
        if self.council_meeting <= self.deadline:
            raise ValueError("fullmäktiges sammanträde måste ligga efter sista svarsdag")
        return self


class Municipality(_Strict):
    name: str
    office: str = "Kommunledningskontoret"
    executive_board: str = "Kommunstyrelsen"
    council: str = "Kommunfullmäktige"
    mailbox: EmailAddress = Field(description="The address boards send their answers to")
    coordinator: Contact
    website: str = ""


def closest(name: str, known: Iterable[str]) -> str:
    """`menade du 'a' eller 'b'?` (difflib), or the known ids when none is close."""
    choices = sorted(known)
    near = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    if near:
        return "menade du " + " eller ".join(repr(n) for n in near) + "?"
    return "välj en av " + ", ".join(choices)


Transport = Literal["maildir", "ews", "graph"]


def _default_required() -> dict[Transport, bool]:
    return {"ews": True, "graph": True, "maildir": False}


class SenderPolicy(_Strict):
    """When a board's answer counts: see docs/operations.md, "Sender policy"."""

    authserv_ids: list[str] = Field(
        default_factory=list,
        description="authserv-ids of the municipality's own mail servers whose "
        "Authentication-Results (RFC 8601) are trusted, e.g. mx.ekeby.example",
    )
    require_authentication: dict[Transport, bool] = Field(
        default_factory=_default_required,
        description="Per transport: a board answer counts only from an authenticated sender",
    )

    @field_validator("require_authentication", mode="after")
    @classmethod
    def _all_transports(cls, value: dict[Transport, bool]) -> dict[Transport, bool]:
        return {**_default_required(), **value}

    @field_validator("authserv_ids", mode="after")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value if v.strip()]

    def requires_authentication(self, transport: str) -> bool:
        """Unknown transports require it (fail closed)."""
        for name, required in self.require_authentication.items():
            if name == transport:
                return required
        return True


class Config(_Strict):
    """Everything under config/: validated together so cross-references are checked."""

    municipality: Municipality
    sender_policy: SenderPolicy = Field(default_factory=SenderPolicy)
    strategies: dict[str, Strategy]
    boards: dict[str, Board]
    cycles: dict[str, Cycle]
    action_plans: dict[str, dict[str, list[PlannedActivity]]] = Field(default_factory=dict)
    default_cycle: str

    def cycle(self, cycle_id: str | None = None) -> Cycle:
        key = cycle_id or self.default_cycle
        try:
            return self.cycles[key]
        except KeyError:
            raise KeyError(f"okänd uppföljning {key!r} — {closest(key, self.cycles)}") from None

    def strategy_of(self, cycle: Cycle) -> Strategy:
        return self.strategies[cycle.strategy]

    def board(self, board_id: str) -> Board:
        try:
            return self.boards[board_id]
        except KeyError:
            raise KeyError(f"okänd nämnd {board_id!r} — {closest(board_id, self.boards)}") from None

    def boards_in(self, cycle: Cycle) -> list[Board]:
        if cycle.boards == "all":
            return list(self.boards.values())
        return [self.boards[b] for b in cycle.boards]

    def planned_activities(self, cycle: Cycle, board_id: str) -> list[PlannedActivity]:
        return list(self.action_plans.get(cycle.strategy, {}).get(board_id, []))


# --------------------------------------------------------------------------- parse results

Status = Literal["Genomförd", "Pågående", "Ej påbörjad", "Utgår"]
STATUSES: tuple[Status, ...] = ("Genomförd", "Pågående", "Ej påbörjad", "Utgår")


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(_Result):
    level: Literal["error", "warning"]
    code: str
    message: str = Field(description="Swedish, for the sender and the coordinator")
    where: str = ""


class ActivityRow(_Result):
    area: int
    nr: str | None = None
    activity: str = ""
    responsible: str = ""
    timeframe: str = ""
    status: Status | None = None
    status_text: str = ""
    comment: str = ""


class Indicator(_Result):
    name: str
    value: float | None = None
    value_text: str = ""
    comment: str = ""


class Texts(_Result):
    analysis: str = ""
    support: str = ""


class Decision(_Result):
    date: dt.date | None = None
    paragraph: str | None = None


class ParsedTemplate(_Result):
    """A board's filled-in template as read; `to_json()` is the `followup parse --json` contract."""

    file: str
    board: str | None = None
    cycle: str | None = None
    template_version: int | None = None
    activities: list[ActivityRow] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    texts: Texts = Field(default_factory=Texts)
    decision: Decision = Field(default_factory=Decision)
    problems: list[Problem] = Field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def unreadable(self) -> bool:
        """True if the file could not be read as a template at all (problem codes `file.*`)."""
        return any(p.code.startswith("file.") for p in self.errors)

    def to_json(self) -> str:
        return self.model_dump_json()
