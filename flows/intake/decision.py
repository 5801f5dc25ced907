"""What to do with one inbound message, once its Word files have been read: submit, reject,
quarantine, reply that nothing was attached, or leave it be (auto-replies, our own mail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from flows.cycles import same_strategy_successor
from flows.intake.attachments import ClassifiedAttachment
from flows.intake.attribution import Attribution, DocumentEvidence, attribute, boards_of_sender
from flows.intake.authenticity import Verdict
from flows.intake.automatic import is_automatic, is_own_address
from flows.intake.policy import may_submit
from flows.intake.validation import combined_problems
from flows.model import Board, Config, Cycle, ParsedTemplate, Problem
from flows.references import find_references, resolve_reference
from flows.untrusted.limits import LIMITS, Limits

Outcome = Literal["submitted", "rejected", "quarantined", "no_attachment", "ignored"]
Reply = Literal["receipt", "rejection", "no_attachment_reply", "unauthenticated_reply"]
NOT_CHECKED = Verdict(False, "inte kontrollerad")


@dataclass(frozen=True)
class WordFile:
    """One Word attachment as read."""

    part: str  # its position among the message's attachments, e.g. "2"
    filename: str
    parsed: ParsedTemplate
    footer: str = ""
    modified: str = ""  # dcterms:modified of the document, ISO 8601 ("" unknown)

    @property
    def looks_like_template(self) -> bool:
        p = self.parsed
        return bool(p.board or p.cycle or p.activities)


@dataclass(frozen=True)
class InboundFacts:
    sender: str | None
    subject: str
    body: str
    headers: Mapping[str, str]  # lower-case name -> value
    attachments: Sequence[ClassifiedAttachment]
    date: dt.datetime | None = None  # the Date header
    # From the strict reading of From/Sender (`flows.intake.sender_address`): why the sender is
    # ambiguous, and the Sender address when it names someone else than From.
    sender_problem: str | None = None
    on_behalf_of: str | None = None
    authentication: Verdict = NOT_CHECKED  # `flows.intake.authenticity.verdict`


@dataclass(frozen=True)
class DocumentVerdict:
    word: WordFile
    problems: tuple[Problem, ...]

    @property
    def accepted(self) -> bool:
        return not any(p.level == "error" for p in self.problems)


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    reason: str  # Swedish, one line: the ledger's detail and the coordinator's notice
    cycle: Cycle | None = None
    board: Board | None = None
    method: str | None = None
    documents: tuple[DocumentVerdict, ...] = ()  # each becomes a submission version, in order
    reply: Reply | None = None
    notify_coordinator: bool = False
    problems: tuple[Problem, ...] = ()  # what the rejection lists
    filename: str | None = None  # the file the reply is about

    @property
    def receipt_document(self) -> DocumentVerdict | None:
        accepted = [d for d in self.documents if d.accepted]
        return accepted[-1] if accepted else None


def assess(
    config: Config,
    current: Cycle,
    facts: InboundFacts,
    words: Sequence[WordFile],
    *,
    own_addresses: set[str],
    open_cycles: Sequence[Cycle] = (),
    require_authentication: bool = False,
    limits: Limits = LIMITS,
) -> Assessment:
    """The decision for one message; `words` are its document attachments (Word, and PDF or old
    formats, which the reader reports on) as read. Several templates in one message give one
    submission: the best of them (see `choose`), with a note saying so.

    `open_cycles` are the cycles served (default just `current`): the answer goes to the one it
    names (document properties, reference code) or, by the sender, the only one the sender's
    board takes part in; an answer for a cycle that is not served gets a reply saying so.
    `require_authentication` is the sender policy for the mailbox's transport: a board answer
    then counts only if `facts.authentication` says the sender was authenticated.
    """
    serving = list(open_cycles) or [current]
    sender = facts.sender
    if is_own_address(sender, own_addresses):
        return Assessment("ignored", "Meddelandet kommer från systemets egen adress.")
    automatic = is_automatic(facts.headers, sender)
    if automatic:
        if words:
            return Assessment(
                "quarantined",
                "Automatiskt skickat meddelande med bilagor; besvaras inte automatiskt.",
                notify_coordinator=True,
            )
        return Assessment("ignored", "Automatiskt svar eller studsat meddelande; besvaras inte.")
    if facts.sender_problem:
        return Assessment(
            "quarantined",
            f"Avsändaren går inte att avgöra säkert: {facts.sender_problem}",
            notify_coordinator=True,
        )
    if facts.on_behalf_of and not _same_board(config, sender, facts.on_behalf_of):
        return Assessment(
            "quarantined",
            f"Meddelandet skickades av {facts.on_behalf_of} i namn av {sender}; "
            "de är inte kontaktpersoner för samma nämnd.",
            notify_coordinator=True,
        )

    evidence = [DocumentEvidence(w.parsed.board, w.parsed.cycle, w.footer) for w in words]
    found = attribute(
        config,
        current=current,
        documents=evidence,
        subject=facts.subject,
        body=facts.body,
        sender=sender,
        open_cycles=serving,
    )
    known_sender = bool(boards_of_sender(config, sender)) or (
        sender is not None and sender.lower() == config.municipality.coordinator.email
    )

    if len(facts.attachments) > limits.attachments:
        return _too_many_attachments(current, found, known_sender, len(facts.attachments), limits)

    if not words:
        if not known_sender:
            return Assessment(
                "quarantined",
                "Meddelande utan bifogad mall från en okänd avsändare.",
                board=found.board if found else None,
                notify_coordinator=True,
            )
        return Assessment(
            "no_attachment",
            "Ingen Word-fil bifogad.",
            cycle=current,
            board=found.board if found else None,
            method=found.method if found else None,
            reply="no_attachment_reply",
        )

    if found is None and (unreadable := _unreadable(config, serving, sender, words)):
        return unreadable
    if found is None:
        return Assessment(
            "quarantined",
            "Kunde inte avgöra vilken nämnd och uppföljning svaret gäller (varken "
            "dokumentegenskaper, referenskod eller en entydig avsändare).",
            notify_coordinator=True,
        )

    if found.cycle in serving:
        current = found.cycle
    elif (successor := same_strategy_successor(found.cycle, serving)) is not None:
        current = successor  # last year's template again: told so by the validation
    else:
        return _not_open(config, found, words)

    resolved = _resolve_board(config, current, found, sender, facts)
    if isinstance(resolved, str):
        return Assessment(
            "quarantined", resolved, board=found.board, method=found.method, notify_coordinator=True
        )
    board, method = resolved
    verified = facts.authentication
    if require_authentication and not verified.authenticated:
        return Assessment(
            "quarantined",
            f"Avsändaren {sender} kunde inte verifieras ({verified.how}); svaret räknas inte "
            "förrän det kommer från en verifierad avsändare eller samordnaren skickar in det.",
            cycle=current,
            board=board,
            method=method,
            reply="unauthenticated_reply",
            notify_coordinator=True,
        )
    unverified_note = (
        "" if verified.authenticated else f" (avsändaren ej verifierad: {verified.how})"
    )
    # The message itself (reference code, sender) told whose answer it is.
    by_email = method in ("reference", "sender")

    candidates = [w for w in words if w.looks_like_template] or list(words)
    verdicts = [
        DocumentVerdict(
            w, tuple(combined_problems(config, current, board, w.parsed, by_email=by_email))
        )
        for w in candidates
    ]
    verdicts = [choose(verdicts)]
    if len(candidates) > 1:
        verdicts = [_with_note(verdicts[0], len(candidates))]
    accepted = [v for v in verdicts if v.accepted]
    if accepted:
        last = accepted[-1]
        return Assessment(
            "submitted",
            f"Mottagen: {last.word.filename}{unverified_note}",
            cycle=current,
            board=board,
            method=method,
            documents=tuple(verdicts),
            reply="receipt",
            filename=last.word.filename,
        )
    first = verdicts[0]
    problems = first.problems
    errors = [p for p in problems if p.level == "error"]
    return Assessment(
        "rejected",
        "; ".join(p.message for p in errors[:3]),
        cycle=current,
        board=board,
        method=method,
        documents=tuple(verdicts),
        reply="rejection",
        problems=problems,
        filename=first.word.filename,
    )


def choose(verdicts: Sequence[DocumentVerdict]) -> DocumentVerdict:
    """The one document of a message that counts: a valid one over an invalid one, then the
    one saved last (its document properties), then the last attached."""
    ranked = sorted(
        enumerate(verdicts),
        key=lambda item: (item[1].accepted, _moment(item[1].word.modified), item[0]),
    )
    return ranked[-1][1]


def _moment(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _with_note(verdict: DocumentVerdict, count: int) -> DocumentVerdict:
    note = Problem(
        level="warning",
        code="message.several_templates",
        message=(
            f"Mejlet innehöll {count} ifyllda mallar. Vi har läst {verdict.word.filename}"
            f"{' (den senast sparade giltiga)' if verdict.accepted else ''}; de andra har inte "
            "sparats. Skicka bara den mall som gäller nästa gång."
        ),
        where=verdict.word.filename,
    )
    return DocumentVerdict(verdict.word, (*verdict.problems, note))


def _unreadable(
    config: Config, serving: Sequence[Cycle], sender: str | None, words: Sequence[WordFile]
) -> Assessment | None:
    """A contact of one board (in several served cycles, so the sender alone does not say which)
    whose every file could not be read at all (`file.` problems): the reply tells them why, which
    needs no cycle's template; the rejection is kept under the first served cycle of the board."""
    read_errors = [[p for p in w.parsed.errors if p.code.startswith("file.")] for w in words]
    if not words or not all(read_errors):
        return None
    boards = {
        b.id: (cycle, b)
        for cycle in reversed(serving)
        for b in boards_of_sender(config, sender)
        if b in config.boards_in(cycle)
    }
    if len(boards) != 1:
        return None
    [(cycle, board)] = boards.values()
    problems = tuple(p for errors in read_errors for p in errors)
    return Assessment(
        "rejected",
        "; ".join(p.message for p in problems[:3]),
        cycle=cycle,
        board=board,
        method="sender",
        reply="rejection",
        problems=problems,
        filename=words[0].filename,
    )


def _too_many_attachments(
    current: Cycle, found: Attribution | None, known_sender: bool, count: int, limits: Limits
) -> Assessment:
    reason = f"Meddelandet har {count} bilagor; högst {limits.attachments} läses."
    if not known_sender:
        return Assessment(
            "quarantined",
            reason,
            board=found.board if found else None,
            notify_coordinator=True,
        )
    problem = Problem(
        level="error",
        code="message.too_many_attachments",
        message=(
            f"Mejlet hade {count} bilagor, och vi läser högst {limits.attachments} per mejl. "
            "Skicka ett nytt mejl med bara den ifyllda mallen bifogad."
        ),
    )
    return Assessment(
        "rejected",
        reason,
        cycle=current,
        board=found.board if found else None,
        method=found.method if found else None,
        reply="rejection",
        problems=(problem,),
    )


def _not_open(config: Config, found: Attribution, words: Sequence[WordFile]) -> Assessment:
    """An answer for a cycle that takes no answers now (closed, or not yet open)."""
    cycle = found.cycle
    strategy = config.strategy_of(cycle)
    message = (
        f"Svaret gäller uppföljningen av {strategy.short_title} för {cycle.year}, som inte tar "
        "emot svar just nu. Har ni fått en nyare inbjudan, använd mallen som bifogades i den. "
        f"Hör annars av er till {config.municipality.coordinator.name}, "
        f"{config.municipality.coordinator.email}."
    )
    problem = Problem(level="error", code="intake.cycle_not_open", message=message, where="")
    return Assessment(
        "rejected",
        f"Svaret gäller {cycle.id}, som inte tar emot svar nu.",
        cycle=cycle,
        board=found.board,
        method=found.method,
        reply="rejection",
        notify_coordinator=True,
        problems=(problem,),
        filename=words[0].filename if words else None,
    )


def _same_board(config: Config, a: str | None, b: str) -> bool:
    """True if both addresses are contacts of one board (a secretary sending for the chair)."""
    return a is not None and any(
        {a.lower(), b.lower()} <= board.all_emails for board in config.boards.values()
    )


def names_board(config: Config, board: Board, facts: InboundFacts) -> bool:
    """The subject or body of the message carries the board's reference code."""
    for text in (facts.subject, facts.body):
        for code in find_references(text):
            resolved = resolve_reference(config, code)
            if resolved is not None and resolved[1].id == board.id:
                return True
    return False


def _resolve_board(
    config: Config, current: Cycle, found: Attribution, sender: str | None, facts: InboundFacts
) -> tuple[Board, str] | str:
    """The board to treat the answer as, or the Swedish reason to quarantine it."""
    board = found.board
    if found.cycle.id != current.id:
        older_same_strategy = (
            found.cycle.strategy == current.strategy and found.cycle.year < current.year
        )
        if not older_same_strategy:
            return f"Svaret gäller en annan uppföljning ({found.cycle.id})."
    if board not in config.boards_in(current):
        return f"{board.name} ingår inte i uppföljningen {current.id}."
    if may_submit(config, board, sender, names_board=names_board(config, board, facts)):
        return board, found.method
    # A contact of exactly one other board who sent this board's template: the wrong template.
    own = [b for b in boards_of_sender(config, sender) if b in config.boards_in(current)]
    if len(own) == 1 and found.method == "properties":
        return own[0], "sender"
    who = sender or "okänd avsändare"
    if sender and sender.lower() == config.municipality.coordinator.email:
        return (
            f"Samordnaren skickade ett svar för {board.name} utan nämndens referenskod i "
            "ämnesraden eller texten."
        )
    return f"Avsändaren {who} är inte kontaktperson för {board.name}."


def no_attachment_key(cycle: Cycle, sender: str) -> str:
    """One no-attachment reply per sender and cycle, however many such messages arrive."""
    return f"no_attachment_reply/{cycle.id}/{sender.lower()}"


def version_notice_key(cycle: Cycle, board: Board, version: int) -> str:
    """One notice to the board's contacts per stored version of its answer."""
    return f"version_notice/{cycle.id}/{board.id}/{version}"
