"""The templates ship inside the wheel and are found there with importlib.resources."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from flows.resources import templates_dir
from tests.conftest import REPO, in_ci


def test_a_checkout_finds_the_top_level_templates() -> None:
    assert templates_dir() == REPO / "templates"
    assert (templates_dir() / "email" / "invitation.txt.j2").is_file()


@pytest.mark.timeout(180)
def test_the_wheel_carries_the_templates_and_finds_them(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        if in_ci():
            pytest.fail("uv is required to build the wheel")
        pytest.skip("uv not installed")
    subprocess.run(
        [uv, "build", "--wheel", "--quiet", "-o", str(tmp_path / "dist")],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("followup-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in (
            "flows/templates/email/invitation.html.j2",
            "flows/templates/report/reference.docx",
        ):
            assert name in names
        archive.extractall(tmp_path / "site")
    # The installed package (here: unpacked, first on the path) finds its own copy.
    found = subprocess.run(
        [sys.executable, "-c", "from flows.resources import templates_dir; print(templates_dir())"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(found) == tmp_path / "site" / "flows" / "templates"
