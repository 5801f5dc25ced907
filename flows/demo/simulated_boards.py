"""How the demo's boards answer: Swedish comments, statuses, key figures and texts, chosen by seed.

Modelled on Västerås stad's report of what its administrations did to raise LGBTQ knowledge:
trainings with RFSL, certifications, Pride participation, lectures for managers, material for
workplace meetings. Mostly the dropdown's statuses, sometimes a word typed instead ("klar",
"pågår"), now and then a row the board added.
"""

from __future__ import annotations

import datetime as dt
import random

from flows.bodies import words_for
from flows.demo.board_answer import (
    ActivityAnswer,
    AddedActivity,
    BoardAnswer,
    IndicatorAnswer,
)
from flows.model import Board, Config, Cycle, KeyFigure, PlannedActivity, Status
from flows.swedish import MONTHS, number

STATUS_WEIGHTS: dict[Status, int] = {"Genomförd": 50, "Pågående": 30, "Ej påbörjad": 12, "Utgår": 8}

# What boards type instead of choosing in the dropdown, and what they mean by it.
TYPED_STATUSES: dict[Status, tuple[str, ...]] = {
    "Genomförd": ("klar", "Klar", "genomförd", "Genomfört", "Klart"),
    "Pågående": ("pågår", "Pågår", "pågående", "Pågår fortfarande"),
    "Ej påbörjad": ("ej startad", "Ej startad", "inte påbörjad", "Ej påbörjat"),
    "Utgår": ("inställd", "Inställd", "utgår", "Ej aktuell"),
}
UNCLEAR_STATUS = "Se kommentar"

# Kinds of activity, recognised by words in the activity text, each with its own comments.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("certification", ("certifier",)),
    ("pride", ("pride",)),
    ("survey", ("enkät",)),
    ("premises", ("omklädningsrum", "lokal")),
    ("training", ("utbildning", "föreläsning", "introduktion", "workshop")),
    (
        "document",
        (
            "rutin",
            "plan",
            "översyn",
            "villkor",
            "mall",
            "handläggning",
            "formulering",
            "blankett",
            "kommunikation",
            "bildval",
            "perspektiv",
        ),
    ),
    ("collaboration", ("samverkan", "förening", "mötesplats", "fritids")),
)

COMMENTS: dict[str, dict[Status, tuple[str, ...]]] = {
    "training": {
        "Genomförd": (
            "Utbildningen genomfördes i {month} med {n} deltagare. Utvärderingen visade att de "
            "flesta fått nya kunskaper om bemötande.",
            "RFSL höll föreläsningen för samtliga medarbetare på arbetsplatsträffar under "
            "{season}. {n} personer deltog.",
            "Genomförd vid två tillfällen, totalt {n} deltagare.\nMaterialet ligger nu på "
            "intranätet så att nyanställda kan ta del av det.",
        ),
        "Pågående": (
            "{pct} procent av medarbetarna har gått utbildningen. Resterande grupper utbildas "
            "under våren {next_year}.",
            "Första tillfället hölls i {month}; fler tillfällen är bokade.",
        ),
        "Ej påbörjad": (
            "Har inte kunnat prioriteras under året på grund av hög personalomsättning. "
            "Planeras till hösten {next_year}.",
            "Upphandlingen av utbildare blev försenad. Start under {next_year}.",
        ),
        "Utgår": (
            "Ersätts av den kommungemensamma chefsutbildningen som startar {next_year}.",
            "Utgår – innehållet ingår i stället i den ordinarie introduktionen.",
        ),
    },
    "certification": {
        "Genomförd": (
            "Verksamheten hbtqia+-certifierades av RFSL i {month} {year}.",
            "Certifieringen är klar. {n} medarbetare gick certifieringsutbildningen.",
        ),
        "Pågående": (
            "Certifieringsutbildningen pågår; {pct} procent av personalen har gått den. "
            "Certifiering väntas under {next_year}.",
        ),
        "Ej påbörjad": ("Skjuts upp till {next_year} i väntan på budgetbeslut.",),
        "Utgår": (
            "Utgår eftersom verksamheten omorganiseras. Frågan tas upp i nästa handlingsplan.",
        ),
    },
    "pride": {
        "Genomförd": (
            "Deltog i Ekeby Pride med monter på Regnbågstorget och i Pridetåget. Cirka {n} "
            "medarbetare deltog.",
            "Programmet genomfördes under Pride-veckan i augusti med {k} arrangemang och god "
            "publik.",
        ),
        "Pågående": ("Planeringen inför nästa års Pride pågår tillsammans med föreningarna.",),
        "Ej påbörjad": ("Beslut om deltagande fattas under våren {next_year}.",),
        "Utgår": ("Deltagandet ställdes in eftersom torget byggdes om.",),
    },
    "survey": {
        "Genomförd": (
            "Frågorna ingick i medarbetarenkäten i {month}. Svarsfrekvensen var {pct} procent "
            "och resultatet har redovisats för ledningsgruppen.",
        ),
        "Pågående": ("Enkäten är genomförd och analysen pågår.",),
        "Ej påbörjad": ("Medarbetarenkäten görs vartannat år; nästa gång {next_year}.",),
        "Utgår": (
            "Utgår då enkäten ersatts av pulsmätningar där egna frågor inte kan läggas till.",
        ),
    },
    "premises": {
        "Genomförd": ("Könsneutrala omklädningsrum finns nu på {k} arbetsplatser.",),
        "Pågående": ("Ingår i ombyggnaden som pågår och blir klar {next_year}.",),
        "Ej påbörjad": ("Väntar på beslut om lokalförsörjningsplanen.",),
        "Utgår": ("Utgår eftersom lokalerna ska avvecklas.",),
    },
    "collaboration": {
        "Genomförd": (
            "Träffar med de lokala hbtqi-föreningarna har hållits {k} gånger under året.",
            "Mötesplatsen har haft öppet varannan vecka med i snitt {k} besökare per kväll.",
        ),
        "Pågående": ("Formerna för samverkan arbetas fram tillsammans med föreningarna.",),
        "Ej påbörjad": ("Kontakt med föreningarna tas under våren {next_year}.",),
        "Utgår": ("Utgår då föreningen har lagt ned sin verksamhet i Ekeby.",),
    },
    "document": {
        "Genomförd": (
            "Klart och beslutat av förvaltningsledningen i {month}.",
            "Genomgången är klar och formuleringarna har ändrats i {k} dokument.",
        ),
        "Pågående": (
            "En arbetsgrupp har påbörjat arbetet, som beräknas vara klart under {next_year}.",
        ),
        "Ej påbörjad": (
            "Inte påbörjat under året; finns med i verksamhetsplanen för {next_year}.",
        ),
        "Utgår": ("Utgår – ingår i stället i kommunens gemensamma arbete med aktiva åtgärder.",),
    },
    "general": {
        "Genomförd": ("Genomfört enligt plan.",),
        "Pågående": ("Arbetet pågår och fortsätter under {next_year}.",),
        "Ej påbörjad": ("Inte påbörjat under året.",),
        "Utgår": ("Utgår ur handlingsplanen.",),
    },
}

# Rows boards add: (area, activity, responsible, timeframe, status, comment).
ADDED_ROWS: tuple[tuple[int, str, str, str, Status, str], ...] = (
    (
        2,
        "Föreläsning om hbtqia+-frågor för förvaltningens chefer i samband med Ekeby Pride",
        "HR-enheten",
        "Augusti {year}",
        "Genomförd",
        "Cirka {n} chefer deltog.",
    ),
    (
        2,
        "Diskussionsmaterial om hbtqia+ och bemötande för arbetsplatsträffar",
        "HR-partner",
        "Hösten {year}",
        "Pågående",
        "Materialet används på ungefär hälften av enheterna.",
    ),
    (
        4,
        "Monter på Regnbågstorget och deltagande i Pridetåget",
        "Kommunikatör",
        "Augusti {year}",
        "Genomförd",
        "Ca {n} medarbetare gick i Pridetåget.",
    ),
    (
        1,
        "Hbtqia+-frågor i mångfaldsblocket i chefsintroduktionen",
        "HR-chef",
        "Löpande",
        "Genomförd",
        "",
    ),
    (
        3,
        "Workshop om inkluderande arbetsplats för medarbetarna i Pride-montern",
        "Enhetschef",
        "Augusti {year}",
        "Genomförd",
        "",
    ),
    (
        2,
        "RFSL-föreläsning för samtliga medarbetare",
        "Förvaltningschef",
        "Våren {year}",
        "Genomförd",
        "{n} deltagare.",
    ),
    (
        3,
        "Ny rutin mot kränkande särbehandling presenterad för alla chefer",
        "HR-enheten",
        "{year}",
        "Pågående",
        "Presenterad för {k} chefsgrupper, resten under våren {next_year}.",
    ),
)

ANALYSIS_OPENINGS = (
    "{board} har under {year} arbetat vidare med handlingsplanen för {strategy}.",
    "Arbetet med {strategy} har under {year} fått större plats i {whose} verksamhet.",
)
ANALYSIS_SENTENCES = (
    "Utbildningsinsatserna har nått fler medarbetare än tidigare år, och intresset för "
    "föreläsningarna har varit stort.",
    "Deltagandet i Ekeby Pride har gjort arbetet synligt både för medarbetare och invånare.",
    "Det svåraste har varit att hinna med utbildningar i verksamheter med hög personalomsättning.",
    "Vi ser att chefernas engagemang avgör hur långt arbetet kommer på varje enhet.",
    "Till nästa år vill vi följa upp effekterna genom frågor i medarbetarenkäten.",
    "Samarbetet med RFSL och de lokala föreningarna har varit värdefullt.",
)
ANALYSIS_CLOSINGS = (
    "Att öka kunskaperna i hbtqia+-frågor ser vi som ett ständigt pågående arbete som "
    "aldrig kan ses som klart.",
    "Nästa steg är att föra in perspektivet i de ordinarie verksamhetsplanerna.",
)
SUPPORT_TEXTS = (
    "Vi behöver stöd med utbildningsmaterial som kan användas på arbetsplatsträffar.",
    "Vi önskar en gemensam föreläsning för chefer i hela kommunkoncernen.",
    "Stöd i hur hbtqia+-perspektivet kan följas upp i medarbetarenkäten vore värdefullt.",
    "Vi skulle behöva hjälp med att hitta föreläsare och samordna datum med andra förvaltningar.",
)


def simulate_answer(config: Config, cycle: Cycle, board: Board, *, seed: int) -> BoardAnswer:
    """The answer `board` gives in the demo; the same for the same (seed, cycle, board)."""
    rng = random.Random(f"followup-demo/{seed}/{cycle.id}/{board.id}")
    strategy = config.strategy_of(cycle)
    planned = config.planned_activities(cycle, board.id)
    words = _Words(rng, cycle.year)
    activities = tuple(_answer_activity(rng, words, a) for a in planned)
    added = _added_rows(rng, words, planned, len(strategy.areas))
    indicators = tuple(_indicator(rng, figure) for figure in strategy.indicators)
    decided = rng.random() < 0.9
    decision_date = _meeting_day(rng, cycle) if decided else None
    saved_on = (decision_date or cycle.deadline - dt.timedelta(days=7)) + dt.timedelta(
        days=rng.randint(1, 4)
    )
    saved_at = dt.datetime.combine(
        saved_on, dt.time(rng.randint(7, 16), rng.randint(0, 59)), tzinfo=dt.UTC
    )
    return BoardAnswer(
        cycle=cycle.id,
        board=board.id,
        activities=activities,
        added=added,
        indicators=indicators,
        analysis=_analysis(rng, board, cycle, strategy.short_title),
        support=rng.choice(SUPPORT_TEXTS) if rng.random() < 0.6 else "",
        decision_date=decision_date,
        decision_date_text=decision_date.isoformat() if decision_date else "",
        decision_paragraph=f"§ {rng.randint(8, 75)}" if decided else "",
        filled_by=board.secretary.name,
        saved_at=saved_at,
    )


class _Words:
    """Fills the placeholders of the comment texts."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng = rng
        self.year = year

    def fill(self, text: str) -> str:
        rng = self.rng
        return text.format(
            month=rng.choice(MONTHS[1:11]),
            season=rng.choice(("våren", "hösten")),
            n=rng.randint(12, 140),
            k=rng.randint(2, 9),
            pct=rng.choice((40, 55, 60, 70, 75, 85)),
            year=self.year,
            next_year=self.year + 1,
        )


def _kind(activity: str) -> str:
    lowered = activity.lower()
    for kind, words in KINDS:
        if any(w in lowered for w in words):
            return kind
    return "general"


def _pick_status(rng: random.Random) -> Status:
    statuses = list(STATUS_WEIGHTS)
    return rng.choices(statuses, weights=[STATUS_WEIGHTS[s] for s in statuses])[0]


def _written(rng: random.Random, status: Status) -> tuple[str, Status | None]:
    """What the board puts in the Status cell for `status`, and what a reader should map it to."""
    roll = rng.random()
    if roll < 0.80:
        return status, status
    if roll < 0.95:
        return rng.choice(TYPED_STATUSES[status]), status
    if roll < 0.98:
        return UNCLEAR_STATUS, None
    return "", None


def _answer_activity(rng: random.Random, words: _Words, planned: PlannedActivity) -> ActivityAnswer:
    status = _pick_status(rng)
    status_text, meaning = _written(rng, status)
    comment = ""
    if rng.random() < 0.9 or status_text == UNCLEAR_STATUS:
        comment = words.fill(rng.choice(COMMENTS[_kind(planned.activity)][status]))
    return ActivityAnswer(nr=planned.nr, status_text=status_text, status=meaning, comment=comment)


def _added_rows(
    rng: random.Random, words: _Words, planned: list[PlannedActivity], n_areas: int
) -> tuple[AddedActivity, ...]:
    roll = rng.random()
    count = 0 if roll < 0.6 else 1 if roll < 0.88 else 2
    chosen = rng.sample([r for r in ADDED_ROWS if r[0] <= n_areas], k=count)
    chosen.sort(key=lambda r: r[0])
    used: dict[int, int] = {}
    rows = []
    for area, activity, responsible, timeframe, status, comment in chosen:
        nr = ""
        if rng.random() < 0.5:
            taken = [int(p.nr.split(".")[1]) for p in planned if p.area == area]
            used[area] = max([*taken, used.get(area, 0)]) + 1
            nr = f"{area}.{used[area]}"
        status_text, meaning = _written(rng, status)
        rows.append(
            AddedActivity(
                area=area,
                nr=nr,
                activity=activity,
                responsible=responsible,
                timeframe=words.fill(timeframe),
                status_text=status_text or status,
                status=meaning if status_text else status,
                comment=words.fill(comment),
            )
        )
    return tuple(rows)


def _indicator(rng: random.Random, figure: KeyFigure) -> IndicatorAnswer:
    name = figure.name
    lowered = name.lower()
    if rng.random() < 0.08:
        return IndicatorAnswer(
            name=name,
            value_text="",
            value=None,
            comment="Uppgiften saknas i år; den tas fram till nästa uppföljning.",
        )
    if figure.unit == "procent":
        share = rng.randint(28, 72)
        text = rng.choice((f"{share} %", f"{share}", f"{share} procent"))
        comment = rng.choice(("", "Enligt personalsystemet per den 31 december."))
        return IndicatorAnswer(name=name, value_text=text, value=float(share), comment=comment)
    if "medarbetare" in lowered:
        value = rng.choice((rng.randint(5, 300), rng.randint(1000, 1500)))
        comment = rng.choice(
            ("", "Enligt utbildningsregistret.", f"Varav {value // 5} nyanställda.")
        )
    elif "chef" in lowered:
        value, comment = rng.randint(0, 45), rng.choice(("", "Alla chefer i förvaltningen."))
    elif "certifier" in lowered:
        value, comment = rng.choice((0, 0, 1, 2)), ""
    elif "pride" in lowered:
        value, comment = rng.randint(0, 6), rng.choice(("", "Monter, föreläsning och Pridetåget."))
    else:
        value, comment = rng.randint(0, 50), ""
    text = number(value)  # "1 250"
    return IndicatorAnswer(name=name, value_text=text, value=float(value), comment=comment)


def _meeting_day(rng: random.Random, cycle: Cycle) -> dt.date:
    day = cycle.deadline - dt.timedelta(days=rng.randint(5, 35))
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _analysis(rng: random.Random, board: Board, cycle: Cycle, strategy: str) -> str:
    whose = "bolagets" if board.kind == "bolagsstyrelse" else words_for(board).genitive
    subject = {"board": words_for(board).name, "whose": whose}
    opening = rng.choice(ANALYSIS_OPENINGS).format(
        year=cycle.year, strategy=strategy.lower(), **subject
    )
    middle = " ".join(rng.sample(ANALYSIS_SENTENCES, k=rng.randint(1, 3)))
    first = f"{opening} {middle}"
    if rng.random() < 0.5:
        return f"{first}\n{rng.choice(ANALYSIS_CLOSINGS)}"
    return first
