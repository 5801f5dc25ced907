"""What a fresh interpreter has imported after running some code: for tests that a light path
(a read-only command, reading the settings) stays light."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def modules_after(code: str, packages: tuple[str, ...]) -> list[str]:
    """The modules of `packages` (top-level names) that `code` leaves imported, sorted."""
    report = (
        "\nimport sys as _sys\n"
        f"print('\\n'.join(sorted(m for m in _sys.modules if m.split('.')[0] in {packages!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code + report], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    return out.split()
