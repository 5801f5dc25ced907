"""Where the shipped templates are: `templates/` at the repository's top, which the wheel carries
inside the package as `flows/templates` (pyproject.toml, hatch `force-include`)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent / "templates"


@cache
def templates_dir() -> Path:
    """`flows/templates` of an installed wheel, else the checkout's `templates/`."""
    packaged = files("flows") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return _CHECKOUT
