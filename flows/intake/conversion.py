"""Which attachments of a message are read, and which of them LibreOffice may convert.

LibreOffice is the one reader that runs a large program on a sender's file, so it runs only for
a sender who may submit for some board (one of its contacts, or the coordinator), and at most
`Limits.conversions_per_message` times per message. `conversion_allowed` is the single hook:
the sender-authenticity policy narrows it further when it lands (issue 11, item 3).
"""

from __future__ import annotations

from collections.abc import Sequence

from flows.intake.attachments import ClassifiedAttachment
from flows.intake.attribution import boards_of_sender
from flows.model import Config
from flows.untrusted.limits import LIMITS, Limits


def may_need_conversion(item: ClassifiedAttachment) -> bool:
    """Anything but a zip-based Word file might go to LibreOffice (a .doc named .docx too)."""
    if item.kind == "pdf":
        return False
    return item.kind in ("doc", "odt") or not item.attachment.data.startswith(b"PK")


def conversion_allowed(config: Config, sender: str | None) -> bool:
    """May a file from `sender` be converted with LibreOffice?"""
    if not sender:
        return False
    return bool(boards_of_sender(config, sender)) or (
        sender.lower() == config.municipality.coordinator.email.lower()
    )


def documents_to_read(
    config: Config,
    sender: str | None,
    documents: Sequence[tuple[int, ClassifiedAttachment]],
    attachment_count: int,
    limits: Limits = LIMITS,
) -> list[tuple[int, ClassifiedAttachment, bool]]:
    """(position, attachment, convert?) of the documents to read; none when the message has
    more attachments than allowed (the sender gets one reply saying so)."""
    if attachment_count > limits.attachments:
        return []
    allowed = conversion_allowed(config, sender)
    conversions = 0
    chosen: list[tuple[int, ClassifiedAttachment, bool]] = []
    for index, item in documents[: limits.documents_read]:
        convert = False
        if allowed and may_need_conversion(item) and conversions < limits.conversions_per_message:
            convert = True
            conversions += 1
        chosen.append((index, item, convert))
    return chosen
