"""Every problem the reader can report: its code, level and Swedish message.

The collect flow puts `Problem.message` straight into receipts and rejections, so each message
says what is wrong and what the sender can do about it, in words a board secretary uses.
Codes starting with `file.` mean the file could not be read as a template at all.
"""

from __future__ import annotations

from typing import Literal

from flows.model import Problem

Level = Literal["error", "warning"]

_STATUS_CHOICES = "Genomförd, Pågående, Ej påbörjad eller Utgår"
_SEND_DOCX = "Spara dokumentet som Word-dokument (.docx) och skicka det igen."

MESSAGES: dict[str, tuple[Level, str]] = {
    # --- the file as a whole (error: nothing could be read) ---------------------------------
    "file.empty": ("error", "Filen {name} är tom. " + _SEND_DOCX),
    "file.too_large": (
        "error",
        "Filen {name} är för stor ({size}). En ifylld mall är normalt under 1 MB. "
        "Ta bort inklistrade bilder och skicka dokumentet igen.",
    ),
    "file.lockfile": (
        "error",
        "Filen {name} är en tillfällig låsfil som Word skapar medan ett dokument är öppet, "
        "inte själva dokumentet. Bifoga Word-dokumentet i stället (filnamnet börjar inte "
        "med ~$).",
    ),
    "file.pdf": (
        "error",
        "Filen {name} är en PDF. Svaren kan bara läsas ur Word-mallen. " + _SEND_DOCX,
    ),
    "file.doc": (
        "error",
        "Filen {name} är sparad i det äldre Word-formatet (.doc) och kunde inte omvandlas. "
        + _SEND_DOCX,
    ),
    "file.odt": (
        "error",
        "Filen {name} är sparad i OpenDocument-format (.odt) och kunde inte omvandlas. "
        + _SEND_DOCX,
    ),
    "file.rtf": (
        "error",
        "Filen {name} är sparad som RTF och kunde inte omvandlas. " + _SEND_DOCX,
    ),
    "file.encrypted": (
        "error",
        "Filen {name} är skyddad med lösenord och kan inte läsas. Ta bort lösenordet "
        "(i Word: Arkiv > Information > Skydda dokument) och skicka dokumentet igen.",
    ),
    "file.truncated": (
        "error",
        "Filen {name} är ofullständig eller skadad (den kan ha avbrutits när den sparades "
        "eller bifogades). Öppna dokumentet i Word, spara det på nytt och skicka det igen.",
    ),
    "file.zip_bomb": (
        "error",
        "Filen {name} innehåller orimligt stora delar ({detail}) och lästes inte av "
        "säkerhetsskäl. Spara mallen på nytt som ett vanligt Word-dokument och skicka den igen.",
    ),
    "file.unsafe_xml": (
        "error",
        "Filen {name} innehåller XML-konstruktioner (DOCTYPE eller entiteter) som Word aldrig "
        "skriver, och lästes inte av säkerhetsskäl. Skicka mallen som den sparats i Word.",
    ),
    "file.not_template": (
        "error",
        "Filen {name} är inte ett Word-dokument ({detail}). Skicka den ifyllda mallen "
        "(.docx) som bilaga.",
    ),
    "file.conversion_failed": (
        "error",
        "Filen {name} kunde inte omvandlas till Word-format ({detail}). " + _SEND_DOCX,
    ),
    # --- warnings about the file ---------------------------------------------------------
    "format.converted": (
        "warning",
        "Filen {name} var sparad som {format} och omvandlades till Word-format innan den "
        "lästes. Kontrollera gärna att svaren blev rätt; skicka helst .docx nästa gång.",
    ),
    # --- which board's template it is -----------------------------------------------------
    "template.unidentified": (
        "error",
        "Dokumentet kunde inte kopplas till någon nämnd: det saknar mallens dokumentegenskaper "
        "och referenskoden i sidfoten. Använd mallen som skickades ut, eller skriv "
        "referenskoden från e-postmeddelandets ämnesrad i dokumentet.",
    ),
    "template.unknown_reference": (
        "error",
        "Referenskoden {ref} finns inte för någon nämnd eller uppföljning. Kontrollera koden "
        "mot e-postmeddelandets ämnesrad.",
    ),
    "template.unknown_board": (
        "error",
        "Mallen är gjord för en nämnd som inte är känd ({board}). Använd mallen som "
        "skickades ut till er nämnd.",
    ),
    "template.unknown_cycle": (
        "error",
        "Mallen hör till en uppföljning som inte är känd ({cycle}). Använd mallen som "
        "skickades ut i år.",
    ),
    "template.board_not_in_cycle": (
        "error",
        "{board_name} ingår inte i uppföljningen {cycle}. Kontakta kommunledningskontoret.",
    ),
    "template.wrong_cycle": (
        "error",
        "Mallen gäller uppföljningen {found}, men nu samlas svar in för {expected}. "
        "Fyll i årets mall, som skickades ut med inbjudan.",
    ),
    "template.identity_conflict": (
        "warning",
        "Dokumentegenskaperna anger {props}, men referenskoden i dokumentet anger {ref}. "
        "Dokumentegenskaperna har använts.",
    ),
    "template.bad_version": (
        "warning",
        "Mallens versionsnummer ({value}) kunde inte läsas.",
    ),
    "template.no_activities": (
        "error",
        "Inga aktivitetstabeller hittades i dokumentet (tabeller med kolumnerna Aktivitet och "
        "Status). Använd mallen som skickades ut och behåll tabellernas rubrikrader.",
    ),
    # --- tables ---------------------------------------------------------------------------
    "table.unknown_column": (
        "warning",
        "Vi känner inte igen kolumnen ”{header}”, så den har inte lästs.",
    ),
    "table.missing_column": (
        "warning",
        "Kolumnen ”{header}” saknas i tabellen.",
    ),
    "text.outside_table": (
        "warning",
        "Texten ”{excerpt}” under {area} står utanför aktivitetstabellen och har inte lästs "
        "in som en aktivitet. Skriv aktiviteten som en rad i tabellen.",
    ),
    "table.unrecognized": (
        "warning",
        "Vi känner inte igen en tabell ({detail}), så den har inte lästs.",
    ),
    # --- activities -----------------------------------------------------------------------
    "status.missing": (
        "warning",
        "Aktiviteten {activity} saknar status. Välj {choices}.",
    ),
    "status.unknown": (
        "warning",
        "Vi kan inte tolka statusen ”{text}” för aktiviteten {activity}. Välj {choices}.",
    ),
    "activity.missing_text": (
        "warning",
        "En rad har status eller kommentar men ingen aktivitet. Skriv vilken aktivitet raden "
        "gäller.",
    ),
    "activity.no_area": (
        "warning",
        "Det gick inte att avgöra vilket strategiområde tabellen hör till; "
        "område {area} har antagits.",
    ),
    # --- key figures, texts, decision -----------------------------------------------------
    "indicator.missing": ("warning", "Nyckeltalet ”{name}” saknar värde."),
    "indicator.approximate": (
        "warning",
        "Värdet ”{text}” för nyckeltalet ”{name}” är ungefärligt; {value} har lästs in. "
        "Ange ett exakt tal om det finns.",
    ),
    "indicator.ambiguous": (
        "warning",
        "Värdet ”{text}” för nyckeltalet ”{name}” kan betyda både {value} och {text_decimal}; "
        "{value} har lästs in. Skriv tusental med mellanslag (1 234) och decimaler med komma "
        "(1,5).",
    ),
    "indicator.unreadable": (
        "warning",
        "Värdet ”{text}” för nyckeltalet ”{name}” är inte ett tal och har inte lästs in som "
        "ett. Skriv bara siffror, t.ex. 1 234 eller 12,5.",
    ),
    "decision.date_missing": (
        "warning",
        "Datum för nämndens beslut saknas. Skriv beslutsdatum, t.ex. 2027-03-12.",
    ),
    "decision.date_unreadable": (
        "warning",
        "Beslutsdatumet ”{text}” kunde inte tolkas. Skriv datumet som 2027-03-12 eller "
        "12 mars 2027.",
    ),
    "decision.paragraph_missing": (
        "warning",
        "Paragraf för nämndens beslut saknas. Skriv protokollets paragraf, t.ex. § 34.",
    ),
}


def problem(code: str, where: str = "", **params: object) -> Problem:
    """The problem `code` with its message filled in from `params`."""
    level, template = MESSAGES[code]
    params.setdefault("choices", _STATUS_CHOICES)
    return Problem(level=level, code=code, message=template.format(**params), where=where)
