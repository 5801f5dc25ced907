"""Domain types: the configuration (strategy, boards, cycles) and what a board's answer contains.

Configuration types are validated on load (see `flows.config`); parse results are what
`flows.documents.reader` produces and what `followup parse --json` prints (DESIGN.md §4).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from flows.status_words import DEFAULT_FINISHED, DEFAULT_SYNONYMS

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


BoardKind = Literal["nämnd", "styrelse", "bolagsstyrelse", "beredning", "utskott"]
BOARD_KINDS: tuple[BoardKind, ...] = ("nämnd", "styrelse", "bolagsstyrelse", "beredning", "utskott")


class Board(_Strict):
    """A board (nämnd), the executive board (styrelse), a municipal company board
    (bolagsstyrelse), a council drafting committee (beredning) or a committee (utskott).

    The kind decides the words every text uses for it (`flows.bodies`): "nämndens beslut",
    "styrelsens beslut", "Ekeby Energi AB:s styrelse".
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    code: ShortCode = Field(description="Short upper-case code used in reference codes, e.g. KFN")
    name: str = Field(
        description=(
            "The body's name as written in texts: 'Kultur- och fritidsnämnden'; for a company "
            "board the company, 'Ekeby Energi AB' (the older 'Ekeby Energi AB, styrelsen' is "
            "still understood)"
        )
    )
    kind: BoardKind = Field(default="nämnd", description="What kind of body it is")
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
    """A strategy area (strategiområde, målområde, fokusområde …)."""

    number: int = Field(ge=1, description="1, 2, 3 … in order")
    title: str = Field(
        default="", description="Optional name, e.g. 'Jämställd makt och inflytande'"
    )
    goal: str = Field(description="The area's goal text, printed in the template and the report")
    description: str = Field(
        default="", description="Background printed under the goal in the template and the report"
    )


class StatusOption(_Strict):
    """One value of the status column, with the words boards write for it."""

    value: str = Field(min_length=1, description="As shown in the dropdown, e.g. 'Genomförd'")
    synonyms: list[str] = Field(
        default_factory=list, description="Other words that mean this status (any case)"
    )
    finished: bool = Field(
        default=False, description="Finished activities are not carried forward to next year"
    )


def default_statuses() -> list[StatusOption]:
    """Today's four statuses with today's synonyms."""
    return [
        StatusOption(value=value, synonyms=list(words), finished=value in DEFAULT_FINISHED)
        for value, words in DEFAULT_SYNONYMS.items()
    ]


Aggregate = Literal["sum", "mean", "weighted_mean", "min", "max", "none"]


class KeyFigure(_Strict):
    """A key figure (nyckeltal) asked of every board. The strategy file's `indicators:` entries;
    a plain string is a summed key figure without unit.

    (Named KeyFigure because `Indicator` is a board's reported value in a parse result.)
    """

    name: str = Field(min_length=1, description="As printed in the template, e.g. 'Antal chefer'")
    unit: str = Field(default="", description="E.g. 'procent', 'st', 'kr'; may be empty")
    aggregate: Aggregate = Field(
        default="sum",
        description=(
            "How the boards' values are combined in the report: sum, mean, weighted_mean "
            "(weighted by the key figure named in `weight`), min, max, or none (no total)"
        ),
    )
    weight: str | None = Field(
        default=None, description="Only for weighted_mean: the name of another key figure"
    )
    per_board: bool = Field(default=False, description="Show each board's value in the report")

    @model_validator(mode="after")
    def _weight(self) -> KeyFigure:
        if self.aggregate == "weighted_mean" and not self.weight:
            raise ValueError("weighted_mean kräver weight: namnet på nyckeltalet som väger")
        if self.weight and self.aggregate != "weighted_mean":
            raise ValueError("weight används bara med aggregate: weighted_mean")
        return self


class TextSection(_Strict):
    """A free-text section of the template ("Sammanfattande analys")."""

    key: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Key in the parse result's texts, e.g. 'analysis'; lower case, a-z 0-9 _",
    )
    title: str = Field(min_length=1, description="The heading in the template")
    hint: str = Field(default="", description="The help text printed under the heading")


def default_sections() -> list[TextSection]:
    return [
        TextSection(
            key="analysis",
            title="Sammanfattande analys",
            hint=(
                "Hur har arbetet gått under året? Vad har gett resultat, och vad behöver ni "
                "arbeta vidare med?"
            ),
        ),
        TextSection(
            key="support",
            title="Behov av stöd",
            hint=(
                "Behöver ni stöd från kommunledningskontoret i det fortsatta arbetet, till "
                "exempel utbildning, material eller samordning?"
            ),
        ),
    ]


DecisionField = Literal["date", "paragraph"]
DECISION_FIELDS: tuple[DecisionField, ...] = ("date", "paragraph")


class AssessmentLevel(_Strict):
    """A step of the office's goal-fulfilment scale (issue 13's per-cycle report file)."""

    value: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Used in the report file")
    label: str = Field(min_length=1, description="As printed in the council document")


def default_assessment_scale() -> list[AssessmentLevel]:
    return [
        AssessmentLevel(value="uppfyllt", label="Uppfyllt"),
        AssessmentLevel(value="delvis", label="Delvis uppfyllt"),
        AssessmentLevel(value="ej", label="Ej uppfyllt"),
    ]


def _duplicates(values: list[str]) -> list[str]:
    return sorted({v for v in values if values.count(v) > 1})


class Strategy(_Strict):
    """A strategy followed up every year: `config/strategies/<id>.yaml`."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="The file name without .yaml")
    title: str = Field(
        description="Full title, e.g. 'På lika villkor – Hbtqia+-strategi 2024–2026'"
    )
    short_title: str = Field(description="In subjects and running text, e.g. 'Hbtqia+-strategin'")
    period: str = Field(description="E.g. '2024–2026'")
    adopted_by: str = "Kommunfullmäktige"
    purpose: str = Field(description="The strategy's purpose, printed in the report")
    basis: str = Field(default="", description="How the follow-up is done, printed in the report")
    area_label: str = Field(
        default="Strategiområde",
        min_length=1,
        description="What an area is called: 'Strategiområde', 'Målområde', 'Fokusområde' …",
    )
    areas: list[Area] = Field(min_length=1)
    statuses: list[StatusOption] = Field(
        default_factory=default_statuses,
        min_length=1,
        description="The status vocabulary; default Genomförd, Pågående, Ej påbörjad, Utgår",
    )
    indicators: list[KeyFigure] = Field(
        default_factory=list, description="Key figures asked of every board"
    )
    sections: list[TextSection] = Field(
        default_factory=default_sections,
        description="Free-text sections; default Sammanfattande analys (analysis), Behov av stöd "
        "(support)",
    )
    decision_fields: list[DecisionField] = Field(
        default_factory=lambda: list(DECISION_FIELDS),
        description="What the board's decision records: date (Beslutsdatum), paragraph (Paragraf)",
    )
    assessment_scale: list[AssessmentLevel] = Field(
        default_factory=default_assessment_scale,
        min_length=1,
        description="The office's goal-fulfilment scale used in the per-cycle report file",
    )

    @field_validator("indicators", mode="before")
    @classmethod
    def _plain_indicator_names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Strategy:
        numbers = [a.number for a in self.areas]
        label = self.area_label.lower()
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"{label}na ska numreras 1, 2, 3 … i ordning")
        checks: tuple[tuple[str, list[str]], ...] = (
            ("statusen", [s.value for s in self.statuses]),
            ("nyckeltalet", [i.name for i in self.indicators]),
            ("avsnittet", [s.key for s in self.sections]),
            ("beslutsfältet", list(self.decision_fields)),
            ("nivån", [a.value for a in self.assessment_scale]),
        )
        for what, values in checks:
            if twice := _duplicates(values):
                raise ValueError(f"{what} {twice[0]!r} finns två gånger")
        words: dict[str, str] = {}
        for option in self.statuses:
            for word in (option.value, *option.synonyms):
                key = " ".join(word.casefold().split())
                other = words.setdefault(key, option.value)
                if other != option.value:
                    raise ValueError(
                        f"ordet {word!r} kan inte betyda både {other!r} och {option.value!r}"
                    )
        names = {i.name for i in self.indicators}
        for indicator in self.indicators:
            if indicator.weight is not None and (
                indicator.weight not in names or indicator.weight == indicator.name
            ):
                raise ValueError(
                    f"nyckeltalet {indicator.name!r} vägs med {indicator.weight!r}, som inte är "
                    "ett annat nyckeltal i strategin"
                )
        return self

    def area(self, number: int) -> Area | None:
        return next((a for a in self.areas if a.number == number), None)

    def area_heading(self, number: int) -> str:
        """`Strategiområde 2`, `Målområde 2`."""
        return f"{self.area_label} {number}"

    @property
    def status_values(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.statuses)

    @property
    def finished_statuses(self) -> frozenset[str]:
        return frozenset(s.value for s in self.statuses if s.finished)

    def indicator(self, name: str) -> KeyFigure | None:
        return next((i for i in self.indicators if i.name == name), None)

    @property
    def indicator_names(self) -> list[str]:
        return [i.name for i in self.indicators]

    def section(self, key: str) -> TextSection | None:
        return next((s for s in self.sections if s.key == key), None)


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


_LISTED = 10  # ids in a Swedish line a coordinator can read, even with 300 boards


def closest(name: str, known: Iterable[str]) -> str:
    """`menade du 'a' eller 'b'?` (difflib), or the known ids when none is close."""
    choices = sorted(known)
    near = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    if near:
        return "menade du " + " eller ".join(repr(n) for n in near) + "?"
    if len(choices) <= _LISTED:
        return "välj en av " + ", ".join(choices)
    return f"välj en av {', '.join(choices[:_LISTED])} (och {len(choices) - _LISTED} till)"


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

# The default status vocabulary (a strategy may give its own: `Strategy.statuses`).
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
    status: str | None = Field(default=None, description="One of the strategy's status values")
    status_text: str = ""
    comment: str = ""


class Indicator(_Result):
    name: str
    value: float | None = None
    value_text: str = ""
    comment: str = ""


class Texts(_Result):
    """The free-text sections: `analysis` and `support` always; a strategy's other sections
    (`Strategy.sections`) add their keys."""

    model_config = ConfigDict(extra="allow")

    analysis: str = ""
    support: str = ""

    def get(self, key: str) -> str:
        value = getattr(self, key, None) if key in ("analysis", "support") else None
        if value is None:
            value = (self.model_extra or {}).get(key, "")
        return value if isinstance(value, str) else ""

    def as_dict(self) -> dict[str, str]:
        return {key: self.get(key) for key in ("analysis", "support", *(self.model_extra or {}))}


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
