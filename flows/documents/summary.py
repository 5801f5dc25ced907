"""A parsed template as plain text for a person at a terminal (`followup parse` without --json)."""

from __future__ import annotations

from itertools import groupby

from flows.model import ParsedTemplate
from flows.swedish import number

_WIDTHS = {"nr": 5, "activity": 44, "status": 12, "comment": 40}


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_parsed(result: ParsedTemplate) -> str:
    """Identification, problems, then activities per area, key figures, texts and decision."""
    lines = [f"== {result.file}"]
    if result.board or result.cycle:
        version = f", mallversion {result.template_version}" if result.template_version else ""
        lines.append(f"Nämnd: {result.board or '?'}   Uppföljning: {result.cycle or '?'}{version}")
    if result.unreadable:
        lines += [f"KAN INTE LÄSAS: {p.message}" for p in result.errors]
        return "\n".join(lines)

    header = (
        f"  {'Nr':<{_WIDTHS['nr']}} {'Aktivitet':<{_WIDTHS['activity']}} "
        f"{'Status':<{_WIDTHS['status']}} Kommentar/resultat"
    )
    for area, rows in groupby(result.activities, key=lambda a: a.area):
        lines += ["", f"Strategiområde {area}", header]
        for a in rows:
            status = a.status or (f"?{a.status_text}" if a.status_text else "–")
            lines.append(
                f"  {_cut(a.nr or '', _WIDTHS['nr']):<{_WIDTHS['nr']}} "
                f"{_cut(a.activity, _WIDTHS['activity']):<{_WIDTHS['activity']}} "
                f"{_cut(status, _WIDTHS['status']):<{_WIDTHS['status']}} "
                f"{_cut(a.comment, _WIDTHS['comment'])}"
            )
    if not result.activities:
        lines += ["", "Inga aktiviteter."]
    if result.indicators:
        lines += ["", "Nyckeltal"]
        for i in result.indicators:
            comment = f"  ({_cut(i.comment, 40)})" if i.comment else ""
            lines.append(f"  {_cut(i.name, 50):<50} {number(i.value, empty='–'):>10}{comment}")
    for title, text in (
        ("Sammanfattande analys", result.texts.analysis),
        ("Behov av stöd", result.texts.support),
    ):
        lines += ["", f"{title}:", *(f"  {line}" for line in (text or "–").splitlines())]
    decision = result.decision
    date = decision.date.isoformat() if decision.date else "–"
    lines += ["", f"Beslut: {date}, {decision.paragraph or '–'}"]
    if result.problems:
        lines += ["", f"Att åtgärda eller kontrollera ({len(result.problems)}):"]
        for p in result.problems:
            level = "FEL" if p.level == "error" else "obs"
            where = f" [{p.where}]" if p.where else ""
            lines.append(f"  {level}{where}: {p.message}")
    else:
        lines += ["", "Inga problem."]
    return "\n".join(lines)
