"""FOLLOWUP_ variables that `Settings` refused, in Swedish: one line for the CLI, one problem per
variable for `followup check`."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from flows.swedish import pydantic_choices

# Where a transport's variables are described (the field of `Settings` they belong to).
TRANSPORT_DOCS = {"ews": "docs/exchange-server.md", "graph": "docs/exchange-online.md"}


@dataclass(frozen=True)
class SettingProblem:
    variable: str
    what: str
    todo: str | None

    def __str__(self) -> str:
        return f"{self.variable} {self.what}" + (f" — {self.todo}" if self.todo else "")


def _what(err: ErrorDetails) -> str:
    ctx = err.get("ctx") or {}
    return {
        "literal_error": f"ska vara en av {pydantic_choices(ctx.get('expected', ''))}",
        "int_parsing": "ska vara ett heltal",
        "float_parsing": "ska vara ett tal",
        "bool_parsing": "ska vara true eller false",
        "greater_than_equal": f"ska vara minst {ctx.get('ge', '')}",
        "greater_than": f"ska vara större än {ctx.get('gt', '')}",
        "less_than_equal": f"får vara högst {ctx.get('le', '')}",
    }.get(err["type"], "har ett ogiltigt värde")


def setting_problems(exc: ValidationError) -> list[SettingProblem]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        variable = "FOLLOWUP_" + "_".join(loc).upper()
        docs = TRANSPORT_DOCS.get(loc[0]) if len(loc) > 1 else None
        if err["type"] == "missing":
            transport = f" men krävs när FOLLOWUP_TRANSPORT={loc[0]}" if docs else ""
            todo = f"sätt variabeln (se {docs})" if docs else "sätt variabeln"
            problems.append(SettingProblem(variable, f"saknas{transport}", todo))
            continue
        what = f"{_what(err)} (fick {err.get('input')!r})"
        problems.append(
            SettingProblem(variable, what, f"rätta värdet (se {docs})" if docs else None)
        )
    return problems


def settings_error(exc: ValueError) -> str:
    """One Swedish line for a bad FOLLOWUP_ variable (pydantic's errors, translated)."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    return "; ".join(str(problem) for problem in setting_problems(exc))
