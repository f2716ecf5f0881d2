"""SPEC section 9 (0.2): faults never hang, never abort the run, never print a traceback.

Commands that could hang run in a child process with a timeout, so a regression fails instead of
stopping the suite. Permission cases run the CLI as ``nobody`` (tests/unprivileged.py): CI runs as
root, for whom no permission bit counts.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import unprivileged
from tests.conftest import EXAMPLE, edit_manifest, findings, found, run_cli, write
from tests.imaging import make_image

R, M, C = "acme_cloud/README.md", "acme_cloud/manifest.json", "acme_cloud/CHANGELOG.md"
U = "tile/unreadable"


def tilekit(*args: str, cwd: Path, timeout: float = 60,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console script in a child process, bounded in time."""
    return subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


def report(result: subprocess.CompletedProcess[str] | unprivileged.Outcome) -> list[tuple[str, str, int | None]]:
    assert "Traceback" not in result.stderr, result.stderr
    return [(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def carousel(tile: Path, *urls: str) -> None:
    """The images as the carousel, shown three times over: reviewers' three images are not what these tests test."""
    entries = [{"media_type": "image", "caption": "The overview dashboard", "image_url": u} for u in urls * 3]
    edit_manifest(tile, lambda m: m["tile"].update(media=entries))


# Never hang ---------------------------------------------------------------------------------------------


def test_fifos_are_reported_and_never_opened(tile: Path, tmp_path: Path) -> None:
    (tile / "CHANGELOG.md").unlink()
    os.mkfifo(tile / "CHANGELOG.md")
    (tile / "images" / "overview.png").unlink()
    os.mkfifo(tile / "images" / "overview.png")
    (tile / "assets" / "logs").mkdir()
    os.mkfifo(tile / "assets" / "logs" / "unreferenced.yaml")
    carousel(tile, "images/overview.png")
    result = tilekit("validate", "acme_cloud", "--format", "json", cwd=tmp_path, timeout=30)
    assert result.returncode == 1
    assert report(result) == [
        (U, C, None),
        (U, "acme_cloud/assets/logs/unreferenced.yaml", None),
        (U, "acme_cloud/images/overview.png", None),
    ]
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert all("named pipe (FIFO)" in m and "never opens it" in m for m in messages)


def test_a_socket_is_not_a_regular_file_either(tile: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tile / "assets" / "x.json"))
        result = tilekit("validate", "acme_cloud", "--format", "json", cwd=tmp_path, timeout=30)
    assert report(result) == [(U, "acme_cloud/assets/x.json", None)]
    assert "a socket" in result.stdout


# Never abort the run for one tile: permissions ---------------------------------------------------------


def test_permission_errors_at_every_level_are_findings_and_the_run_goes_on() -> None:
    with unprivileged.shared_folder() as folder:
        for name in ("a_readme", "b_locked", "c_images", "d_clean"):
            shutil.copytree(EXAMPLE, folder / name)
        make_image(folder / "c_images" / "images" / "overview.png")
        carousel(folder / "c_images", "images/overview.png")
        (folder / "a_readme" / "README.md").chmod(0)
        (folder / "b_locked").chmod(0)
        (folder / "c_images" / "images").chmod(0)
        for fmt in ("json", "text"):
            result = unprivileged.run_cli(["validate", ".", "--format", fmt], folder)
            assert result.code == 1, result
            assert "Traceback" not in result.stderr and result.stderr == ""
        result = unprivileged.run_cli(["validate", ".", "--format", "json"], folder)
        assert report(result) == [
            (U, "a_readme/README.md", None),
            (U, "b_locked", None),
            (U, "c_images/images/", None),
        ]
        data = json.loads(result.stdout)
        assert data["tiles"] == ["a_readme", "c_images", "d_clean"]
        assert all("permission denied" in f["message"] and "chmod" in f["message"] for f in data["findings"])


def test_an_unreadable_image_is_a_permission_finding_not_a_corrupt_image() -> None:
    with unprivileged.shared_folder() as folder:
        shutil.copytree(EXAMPLE, folder / "acme_cloud")
        image = make_image(folder / "acme_cloud" / "images" / "overview.png")
        carousel(folder / "acme_cloud", "images/overview.png")
        image.chmod(0)
        result = unprivileged.run_cli(["validate", "acme_cloud", "--format", "json"], folder)
        assert report(result) == [(U, "acme_cloud/images/overview.png", None)]
        assert "permission denied" in result.stdout and "re-export" not in result.stdout


def test_an_unreadable_named_folder_is_exit_2_with_the_reason() -> None:
    with unprivileged.shared_folder() as folder:
        (folder / "locked").mkdir()
        (folder / "locked").chmod(0)
        result = unprivileged.run_cli(["validate", "locked"], folder)
        assert result.code == 2
        assert "'locked' is not readable" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_crashing_rule_is_a_finding_and_every_other_finding_is_kept(tile: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.checks import CHECKS, _schema

    def crash(subject: object, params: object) -> object:
        raise ZeroDivisionError("division by zero")

    broken = _schema.Check(crash, CHECKS["readme.ascii_only"].params)
    monkeypatch.setitem(CHECKS, "readme.ascii_only", broken)
    write(tile / "README.md", (tile / "README.md").read_text().replace("## Support", "## Troubleshooting"))
    edit_manifest(tile, lambda m: m["tile"].update(support="README.md#Help"))
    for fmt in ("json", "sarif", "github", "text"):
        result = run_cli("validate", "acme_cloud", "--format", fmt)
        assert result.exit_code == 2, result.output
        assert "readme/non-ascii crashed on this tile (ZeroDivisionError: division by zero)" in result.output
    data = json.loads(run_cli("validate", "acme_cloud", "--format", "json").output)
    assert [(f["rule"], f["path"]) for f in data["findings"]] == [
        ("tilekit/internal-error", "acme_cloud"),
        ("readme/missing-section", R),
        ("readme/broken-anchor", M),
    ]


# Bounded cost ------------------------------------------------------------------------------------------


def test_a_file_over_its_cap_is_reported_and_not_parsed(tile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit import markdown

    parsed: list[int] = []
    real = markdown.parse
    monkeypatch.setattr(markdown, "parse", lambda text: parsed.append(len(text)) or real(text))
    write(tile / "README.md", "## Overview\n\n" + "### h\n" * 200_000)
    [f] = findings("acme_cloud")
    assert (f["rule"], f["path"], f["line"]) == (U, R, None)
    assert f["message"].startswith("the file is 1,200,013 bytes, over the 1,000,000-byte cap")
    assert parsed == [len((tile / "CHANGELOG.md").read_text())]  # the CHANGELOG only


def test_caps_are_data_and_configurable(tile: Path) -> None:
    write(tile / ".tilekit.toml", '[rules."tile/unreadable".params]\nmax_bytes = {".md" = 100}\n')
    result = run_cli("validate", "acme_cloud", "--config", "acme_cloud/.tilekit.toml", "--format", "json")
    paths = {f["path"] for f in json.loads(result.output)["findings"] if f["rule"] == U}
    assert paths == {R, C}


@pytest.mark.parametrize(("grown_to", "complete"), [(900, True), (5000, False)])
def test_a_file_that_grows_after_its_size_was_taken_is_read_whole_up_to_the_cap(tmp_path: Path, grown_to: int,
                                                                                complete: bool) -> None:
    from toolkit import tilepath

    write(tmp_path / "notes.md", "x" * 10)
    stale = tilepath.probe(tmp_path, "notes.md")
    write(tmp_path / "notes.md", "y" * grown_to)
    data, entry = tilepath.read_bytes(tmp_path, "notes.md", 1000, stale)
    assert data == b"y" * min(grown_to, 1001)
    assert (entry.size <= 1000) is complete  # over the cap: the caller reports it, never parses a part of it


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("README.md", "## Overview\n\nx\n" + "### h\n" * 60_000, []),  # 60,000 headings, under the cap
        ("README.md", "## Overview\n\nx\n" + "- " * 3000 + "x\n", []),  # a list nested 3,000 deep
        ("README.md", "## Overview\n\nx\n" + ">" * 3000 + " x\n", []),
        ("manifest.json", "[" * 10_000 + "]" * 10_000, [("manifest/invalid-json", M, 1)]),
        ("assets/service_checks.json", "[" * 2000 + "]" * 2000,
         [("service-checks/invalid", "acme_cloud/assets/service_checks.json", 1)]),
        ("metadata.csv", (EXAMPLE / "metadata.csv").read_text().replace("Number of API", "d" * 200_000),
         [("metadata/description", "acme_cloud/metadata.csv", 2)]),
    ],
    ids=["60000-headings", "deep-list", "deep-quote", "deep-manifest", "deep-service-checks", "csv-field-limit"],
)
def test_pathological_content_is_checked_without_a_crash(tile: Path, name: str, content: str,
                                                         expected: list[tuple[str, str, int]]) -> None:
    original = (tile / "README.md").read_text()
    write(tile / name, content if name != "README.md" else original + content[len("## Overview\n\nx\n"):])
    result = run_cli("validate", "acme_cloud", "--format", "json", "--ignore", "readme/setup-subsections")
    assert result.exit_code in (0, 1)
    assert [(f["rule"], f["path"], f["line"]) for f in json.loads(result.output)["findings"]] == expected


def test_nan_and_infinity_are_not_json(tile: Path) -> None:
    text = (tile / "manifest.json").read_text().replace('"display_on_public_website": true',
                                                         '"display_on_public_website": NaN')
    write(tile / "manifest.json", text)
    [f] = findings("acme_cloud", select="manifest/")
    assert (f["rule"], f["line"], f["column"]) == ("manifest/invalid-json", 6, 32)
    assert "NaN is not a JSON value; write a number or null" in f["message"]
    write(tile / "manifest.json", '{"a": "NaN Infinity",\n "b": -Infinity}')
    [f] = findings("acme_cloud", select="manifest/invalid-json")
    assert (f["line"], f["column"]) == (2, 7) and "-Infinity is not a JSON value" in f["message"]


def test_each_missing_key_is_reported_once(tile: Path) -> None:
    write(tile / "manifest.json", "{}")
    messages = [f["message"] for f in findings("acme_cloud", select="manifest/schema")]
    keys = [m.split("'")[1] for m in messages]
    assert keys == ["manifest_version", "app_uuid", "app_id", "display_on_public_website", "tile", "author", "assets"]


# Output is always printable -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_lone_surrogates_reach_every_format_escaped(tile: Path, tmp_path: Path, fmt: str) -> None:
    write(tile / "manifest.json", (tile / "manifest.json").read_text().replace('"acme-cloud"', '"x\\ud800"', 1))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("GITHUB_ACTIONS", None)
    result = tilekit("validate", "acme_cloud", "--format", fmt, "--select", "manifest/", cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr) == (1, "")
    assert "\\ud800" in result.stdout
    if fmt in ("json", "sarif"):
        json.loads(result.stdout)


def test_pillow_warnings_stay_quiet_and_its_guard_is_put_back(tile: Path, tmp_path: Path) -> None:
    from PIL import Image

    from tests.imaging import SRGB_ICC

    exif = Image.Exif()
    exif[0x010E] = "an image description longer than the EXIF block that holds it" * 4
    damaged = exif.tobytes()[:-100]  # Pillow warns "Tag data larger than file" on reading it
    Image.new("RGB", (1440, 810), "white").save(tile / "images" / "overview.jpg", exif=damaged, icc_profile=SRGB_ICC)
    carousel(tile, "images/overview.jpg")
    assert found("acme_cloud", select="image/") == []
    assert Image.MAX_IMAGE_PIXELS == (1024 * 1024 * 1024 // 4 // 3)  # Pillow's own default, never lifted
    result = tilekit("validate", "acme_cloud", "--select", "image/", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


# Paths (SPEC section 3, 0.2) and the one resolver -------------------------------------------------------


def test_a_folder_inside_a_tile_maps_to_the_tile(tile: Path) -> None:
    result = run_cli("validate", "acme_cloud/images", "acme_cloud/assets", "--format", "json")
    assert (result.exit_code, json.loads(result.output)["tiles"]) == (0, ["acme_cloud"])


def test_dangling_links_and_link_loops_as_arguments(tile: Path) -> None:
    (tile / "gone.md").symlink_to("nowhere.md")
    (tile / "loop_a").symlink_to("loop_b")
    (tile / "loop_b").symlink_to("loop_a")
    result = run_cli("validate", "acme_cloud/gone.md", "acme_cloud/loop_a", "--format", "json")
    assert result.exit_code == 1
    assert [(f["rule"], f["path"]) for f in json.loads(result.output)["findings"]] == [
        (U, "acme_cloud/loop_a"), (U, "acme_cloud/loop_b")]
    assert "a symbolic link loop" in result.output


def test_percent_escapes_mean_the_same_file_in_readme_and_manifest(tile: Path) -> None:
    make_image(tile / "images" / "shot 1.png")
    carousel(tile, "images/shot%201.png")
    write(tile / "README.md", (tile / "README.md").read_text() + "\n![shot](images/shot%201.png)\n")
    rules = {f[0] for f in found("acme_cloud")}
    assert "media/missing-file" not in rules and "readme/image-missing" not in rules
    assert "image/file-name" in rules  # the file itself is found, and its name is the one defect


def test_manifest_paths_out_of_the_tile_are_never_read(tile: Path, tmp_path: Path) -> None:
    write(tmp_path / "checks.json", '[{"name": "x"}]')
    edit_manifest(tile, lambda m: m["assets"]["integration"]["service_checks"].update(
        metadata_path="../checks.json"))
    write(tile / "README.md", (tile / "README.md").read_text().replace("## Data Collected", "## Data"))
    assert ("readme/missing-section", R, None) not in found("acme_cloud")


# Ctrl-C --------------------------------------------------------------------------------------------------


def _interrupt(args: list[str], cwd: Path, delay: float) -> subprocess.CompletedProcess[bytes]:
    child = subprocess.Popen([sys.executable, "-m", "toolkit", *args], cwd=cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


@pytest.fixture(scope="module")
def many_tiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough tiles that validating them takes far longer than the latest interrupt below."""
    folder = tmp_path_factory.mktemp("many")
    for index in range(800):
        shutil.copytree(EXAMPLE, folder / f"tile_{index:03}")
    return folder


@pytest.mark.parametrize("delay", [0.05, 0.1, 0.2, 0.35])
def test_ctrl_c_during_validate_is_aborted_130(many_tiles: Path, delay: float) -> None:
    """From start-up (imports) to the middle of the run. (An interrupt in the interpreter's own first ~15 ms,
    before any tilekit code runs, is Python's to handle.)"""
    result = _interrupt(["validate", "."], many_tiles, delay)
    assert (result.returncode, result.stderr.strip()) == (130, b"Aborted!")


def test_an_interrupt_a_finalizer_swallows_is_raised_at_the_next_checkpoint() -> None:
    """Ctrl-C while Python runs a finalizer (file objects and child processes have them) cannot raise there: Python
    would print "Exception ignored" and carry on. The interrupt is kept quiet and raised at the next checkpoint."""
    code = (
        "import os, signal, sys\n"
        "from toolkit import interrupt\n"
        "sys.unraisablehook = interrupt.unraisable\n"
        "signal.signal(signal.SIGINT, interrupt.handler)\n"
        "class Finalized:\n"
        "    def __del__(self):\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        sum(range(10_000))\n"
        "Finalized()\n"
        "print('went on')\n"
        "try:\n"
        "    interrupt.checkpoint()\n"
        "except KeyboardInterrupt:\n"
        "    print('raised at the checkpoint')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert (result.stdout, result.stderr) == ("went on\nraised at the checkpoint\n", "")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_reader_that_leaves_early_ends_the_run_quietly(tmp_path: Path, fmt: str) -> None:
    """`tilekit validate | head -1`: exit 1, no traceback, no "Exception ignored", whether the report is cut while
    it is written or at its last flush."""
    for index in range(30):
        shutil.copytree(EXAMPLE, tmp_path / f"tile_{index:02}")
        write(tmp_path / f"tile_{index:02}" / "README.md",
              (EXAMPLE / "README.md").read_text() + "[[TODO: write this]]\n" * 300)
    child = subprocess.Popen([sys.executable, "-m", "toolkit", "validate", ".", "--format", fmt], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()
    child.stdout.close()
    assert child.wait(timeout=60) == 1
    assert child.stderr.read() == b""


def test_ctrl_c_during_new_leaves_nothing_behind(tmp_path: Path) -> None:
    for delay in (0.05, 0.15, 0.3, 0.5):
        out = tmp_path / f"out_{delay}"
        out.mkdir()
        result = _interrupt(["new", "Acme Cloud", "--no-input", "-o", str(out)], tmp_path, delay)
        assert b"Traceback" not in result.stderr
        if result.returncode == 130:
            assert result.stderr.strip() == b"Aborted!"
            assert list(out.iterdir()) == []
        else:  # finished first: a whole tile, nothing else
            assert result.returncode == 0 and [p.name for p in out.iterdir()] == ["acme_cloud"]
