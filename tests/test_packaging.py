"""The sdist and wheel carry rules/ and templates/; an installed wheel works with no checkout in sight."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    return out


def _data_files(root: str) -> set[str]:
    """What the package must ship: every file of rules/ and templates/, as named under ``root``."""
    return {f"{root}/{p.relative_to(ROOT).as_posix()}" for folder in ("rules", "templates")
            for p in (ROOT / folder).rglob("*") if p.is_file()}


def test_wheel_ships_rules_and_templates(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"toolkit/preview/page.html.j2", "toolkit/preview/page.css", "toolkit/preview/page.js"} <= names
    assert _data_files("toolkit/_data") <= names
    assert "toolkit/_data/templates/tile/{{cookiecutter._folder}}/manifest.json" in names


def test_sdist_ships_rules_and_templates(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {name.removeprefix("x/") for name in _data_files("x")} <= names


def test_installed_wheel_scaffolds_and_validates_outside_the_checkout(dist: Path, tmp_path: Path) -> None:
    [wheel] = dist.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True, timeout=900)
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    tilekit = str(venv / "bin" / "tilekit")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([tilekit, *args], cwd=work, env=env, capture_output=True, text=True, timeout=120,
                              check=False)

    created = run("new", "Acme Cloud", "--no-input", "--author", "Acme Corp", "--homepage", "https://acme.example",
                  "--support-email", "help@acme.example", "--sales-email", "sales@acme.example",
                  "--description", "Acme Cloud in Datadog.")
    assert created.returncode == 0, created.stderr
    checked = run("validate", "acme_cloud", "--ignore", "tile/placeholder", "--ignore", "assets/logo",
                  "--ignore", "media/min-images")
    assert (checked.returncode, checked.stdout) == (0, "1 tile checked: no problems found\n"), checked.stderr
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "from toolkit.resources import data_dir; print(data_dir('rules'), data_dir('templates'))"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    previewed = run("preview", "acme_cloud")  # the template, style and script ship in the package
    assert previewed.returncode == 0, previewed.stderr
    page = (work / "acme_cloud-preview.html").read_text()
    assert 'data-tab="release-notes"' in page and "Acme Cloud in Datadog." in page
