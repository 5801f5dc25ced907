"""LibreOffice, headless: a second reader for every document we write, and a converter for
formats boards send that we do not read directly (.doc, .odt, .rtf).

Each call gets its own user profile, so parallel calls (pytest-xdist, concurrent flow runs) do not
fight over LibreOffice's profile lock. That profile is written before LibreOffice starts, with
linked content never updated, links from untrusted documents blocked and macros off
(`_PROFILE_SETTINGS`). A sender's file (`convert_untrusted`) is converted moreover without a
network (a new network namespace through `unshare`, when the kernel allows it) and under
`prlimit` memory and CPU limits and a timeout (`flows.untrusted.limits`).

LibreOffice's own output is English and technical: it is kept in `LibreOfficeError.diagnostics`
for the log, and the error's message is short Swedish a board can be shown.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from flows.untrusted.limits import LIMITS, Limits

# officecfg paths and values (LibreOffice's registry schema, share/registry/main.xcd):
# Writer/Calc Content/Update/Link 2 = never update links; Common/Security/Scripting
# BlockUntrustedRefererLinks = do not load external resources of documents outside trusted
# locations; MacroSecurityLevel 3 = very high (only signed macros from trusted sources),
# DisableMacrosExecution = no macros at all.
_PROFILE_SETTINGS: tuple[tuple[str, str, str, str], ...] = (
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "xs:int", "2"),
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "xs:boolean", "false"),
    ("/org.openoffice.Office.Writer/Content/Update", "Chart", "xs:boolean", "false"),
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "xs:int", "2"),
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks",
     "xs:boolean", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "xs:int", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution",
     "xs:boolean", "true"),
)  # fmt: skip


class LibreOfficeError(RuntimeError):
    """A conversion failed; the message is Swedish for users, `diagnostics` LibreOffice's own."""

    def __init__(self, message: str, diagnostics: str = "") -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_profile(profile: Path) -> None:
    """A fresh LibreOffice user profile with the settings above."""
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, name, _type, value in _PROFILE_SETTINGS
    )
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}\n</oor:items>\n",
        encoding="utf-8",
    )


@functools.cache
def network_namespace_prefix() -> tuple[str, ...]:
    """The command prefix that runs a program without a network: `unshare -n` (as root) or
    `unshare -rn` (a user namespace first); () when neither is allowed here."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for flags in ("-n", "-rn"):
        try:
            done = subprocess.run(
                [unshare, flags, "true"], capture_output=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return (unshare, flags)
    return ()


def _limit_prefix(limits: Limits) -> tuple[str, ...]:
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        return ()
    seconds = max(1, int(limits.conversion_seconds))
    return (prlimit, f"--as={limits.conversion_memory_bytes}", f"--cpu={seconds}", "--")


def convert(
    files: Sequence[Path],
    to: str,
    outdir: Path,
    *,
    timeout: float = 180.0,
    prefix: Sequence[str] = (),
) -> list[Path]:
    """Convert `files` to format `to` ("pdf", "docx", "txt:Text"...) into `outdir`.

    Returns the output paths in the order of `files`; raises LibreOfficeError if one is missing.
    """
    binary = soffice_path()
    if binary is None:
        raise LibreOfficeError("LibreOffice (soffice) är inte installerat")
    outdir.mkdir(parents=True, exist_ok=True)
    extension = to.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="followup-lo-") as profile:
        write_profile(Path(profile))
        command = [
            *prefix,
            binary,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *[str(f) for f in files],
        ]
        try:
            completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(
                f"omvandlingen tog längre tid än {timeout:.0f} sekunder", "timeout"
            ) from exc
    outputs = [outdir / f"{Path(f).stem}.{extension}" for f in files]
    missing = [o for o in outputs if not o.exists()]
    if missing:
        detail = (completed.stdout + completed.stderr).decode(errors="replace").strip()[-2000:]
        raise LibreOfficeError(
            "LibreOffice kunde inte öppna filen (den kan vara skadad eller skyddad)", detail
        )
    return outputs


def convert_untrusted(
    source: Path, to: str, outdir: Path, *, limits: Limits = LIMITS, network: bool = False
) -> Path:
    """Convert one file a sender made: no network (unless `network`, for tests of the profile
    alone), memory and CPU limits, and `limits.conversion_seconds` at most."""
    prefix = (*_limit_prefix(limits), *(() if network else network_namespace_prefix()))
    (output,) = convert([source], to, outdir, timeout=limits.conversion_seconds, prefix=prefix)
    return output
