"""toolkit.workers: batches worked in forked processes, results in order, a dead worker costing only its batch, the
warm pool started with the process, and no process left behind."""

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

from tests.conftest import EXAMPLE
from toolkit import workers

# A script run as its own process: the warm pool is forked from the process that calls prepare(), as the console
# script does. `probe` is defined before prepare(), so the forked workers have it too.
PROBE = """
import json, os, sys
def boom():
    raise RuntimeError("not here")
class Unreadable:
    def __reduce__(self):
        return (boom, ())
def probe(batch):
    warm = "PIL.Image" in sys.modules and "yaml" in sys.modules  # what workers.prepare() imports ahead
    out = []
    for item in batch:
        if item == "die":
            os._exit(3)
        if item == "raise":
            raise ValueError("a bad batch")
        if item == "unsendable":
            return [lambda: None]
        if item == "unreadable":
            return [Unreadable()]
        out.append([item, os.getpid(), os.getppid(), warm])
    return out
from toolkit import workers
if sys.argv[1] == "warm":
    workers.prepare()
jobs = int(sys.argv[2])
batches = json.loads(sys.argv[3])
results = workers.run(probe, batches, jobs)
print(json.dumps({
    "main": os.getpid(),
    "main imported Pillow": "PIL.Image" in sys.modules,
    "results": [r if isinstance(r, list) else type(r).__name__ + ": " + str(r) for r in results],
}))
"""


def _probe(tmp_path: Path, mode: str, jobs: int, batches: list[list[str]], files: int | None = None,
           sigchld: signal.Handlers = signal.SIG_DFL) -> dict:
    """The probe script's report; ``files``: the process's open-file limit; ``sigchld``: the SIGCHLD disposition
    it starts with (an ignored one is inherited across exec)."""
    import resource

    def limited() -> None:
        if files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))
        signal.signal(signal.SIGCHLD, sigchld)

    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    result = subprocess.run([sys.executable, str(script), mode, str(jobs), json.dumps(batches)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, check=False, preexec_fn=limited)
    assert (result.returncode, result.stderr) == (0, "")
    return json.loads(result.stdout)


def _left_in(folder: Path) -> list[int]:
    """Processes whose working folder is ``folder``: tilekit's workers, if any outlived their run."""
    left = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    left.append(int(entry.name))
            except OSError:
                continue  # gone, or not ours to look at
    return left


def _none_left_in(folder: Path) -> bool:
    deadline = time.monotonic() + 5
    while _left_in(folder) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _left_in(folder)


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_results_come_back_in_the_order_of_the_batches(tmp_path: Path, mode: str) -> None:
    batches = [[f"{b}.{i}" for i in range(b % 3 + 1)] for b in range(12)]
    report = _probe(tmp_path, mode, 2, batches)
    assert [[item for item, *_ in result] for result in report["results"]] == batches
    pids = {pid for result in report["results"] for _, pid, _, _ in result}
    assert len(pids) == 2 and report["main"] not in pids
    assert _none_left_in(tmp_path)


def test_warm_workers_import_ahead_and_the_main_process_never_does(tmp_path: Path) -> None:
    report = _probe(tmp_path, "warm", 2, [["a"], ["b"], ["c"], ["d"]])
    rows = [row for result in report["results"] for row in result]
    assert all(warm for *_, warm in rows)
    assert not report["main imported Pillow"]
    # The first worker was forked by the main process, the other by that first worker.
    parents = {pid: parent for _, pid, parent, _ in rows}
    first = next(pid for pid, parent in parents.items() if parent == report["main"])
    assert set(parents.values()) == {report["main"], first}


def test_checking_a_tile_never_imports_click() -> None:
    """A warm worker imports only what checking needs; click (~11 ms) is the command line's alone."""
    script = ("import sys; from pathlib import Path; from toolkit.checks import warm_up; warm_up(); "
              "from toolkit import runner, rules; from toolkit.tile import Tile; "
              "caps = runner.limits(rules.catalogue()); "
              f"found = runner.check(Tile(Path({str(EXAMPLE)!r}), Path.cwd(), caps), rules.catalogue()); "
              "print(bool(found), 'click' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]  # rules ran, and found something, without click


def test_cold_workers_are_forked_by_the_main_process_and_start_cold(tmp_path: Path) -> None:
    report = _probe(tmp_path, "cold", 2, [["a"], ["b"], ["c"]])
    rows = [row for result in report["results"] for row in result]
    assert {parent for _, _, parent, _ in rows} == {report["main"]}
    assert not any(warm for *_, warm in rows)


def test_more_workers_than_the_warm_pool_has_are_forked_cold(tmp_path: Path) -> None:
    jobs = (os.cpu_count() or 1) + 1
    report = _probe(tmp_path, "warm", jobs, [[str(i)] for i in range(jobs * 2)])
    rows = [row for result in report["results"] for row in result]
    assert {parent for _, _, parent, _ in rows} == {report["main"]}
    assert _none_left_in(tmp_path)  # the warm worker that was not used left too


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_a_worker_that_dies_costs_only_its_batch(tmp_path: Path, mode: str) -> None:
    batches = [["a"], ["b", "die"], ["c"], ["d"], ["raise"], ["e"], ["unsendable"], ["unreadable"], ["f"]]
    results = _probe(tmp_path, mode, 2, batches)["results"]
    assert results[1] == "WorkerLost: it ended without sending its results"
    assert results[4] == "WorkerLost: ValueError: a bad batch"
    assert results[6].startswith("WorkerLost: its results could not be sent: AttributeError: Can't pickle local object")
    assert results[7] == "WorkerLost: its results could not be read: RuntimeError"
    assert [[item for item, *_ in r] for i, r in enumerate(results) if i not in (1, 4, 6, 7)] == [
        ["a"], ["c"], ["d"], ["e"], ["f"]]
    assert _none_left_in(tmp_path)


def test_when_every_worker_dies_the_rest_is_reported_lost(tmp_path: Path) -> None:
    results = _probe(tmp_path, "cold", 2, [["die"], ["die"], ["a"], ["b"]])["results"]
    assert results[:2] == ["WorkerLost: it ended without sending its results"] * 2
    assert all(isinstance(r, str) and r.startswith("WorkerLost") for r in results[2:])


@pytest.mark.parametrize("files", [6, 8, 11, 24])  # here: no worker, one, a warm pool, no shortage
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_short_of_files_there_are_fewer_workers_not_an_error(tmp_path: Path, mode: str, files: int) -> None:
    """Under a low open-file limit the pipes run out: fewer workers, or none (the main process works), same results."""
    batches = [[str(i)] for i in range(8)]
    report = _probe(tmp_path, mode, 2, batches, files=files)
    assert [[item for item, *_ in result] for result in report["results"]] == batches
    assert _none_left_in(tmp_path)


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_started_with_sigchld_ignored(tmp_path: Path, mode: str) -> None:
    """Then the system reaps the workers itself: waiting for them must not fail."""
    batches = [[str(i)] for i in range(6)]
    report = _probe(tmp_path, mode, 2, batches, sigchld=signal.SIG_IGN)
    assert [[item for item, *_ in result] for result in report["results"]] == batches


def test_without_fork_the_batches_are_worked_in_the_main_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")

    def work(batch: list[str]) -> list[tuple[str, int]]:
        if "raise" in batch:
            raise ValueError("a bad batch")
        return [(item, os.getpid()) for item in batch]

    results = workers.run(work, [["a"], ["raise"], ["b", "c"]], 2)
    assert results[0] == [("a", os.getpid())] and results[2] == [("b", os.getpid()), ("c", os.getpid())]
    assert isinstance(results[1], ValueError)


@pytest.fixture
def tiles(tmp_path: Path) -> Path:
    for index in range(40):
        shutil.copytree(EXAMPLE, tmp_path / f"tile_{index:02}")
    return tmp_path


def _tilekit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env=env)


def test_the_console_script_with_workers_reports_what_one_process_does(tiles: Path) -> None:
    """`tilekit validate` starts its warm pool with the process: the report is the one of `--jobs 1`, byte for byte,
    and no worker outlives the run."""
    (tiles / "tile_03" / "CHANGELOG.md").write_text("# CHANGELOG\n\n## 1.0.0\n\n- x\n")
    for fmt in ("json", "text", "sarif", "github"):
        one = _tilekit(tiles, "validate", ".", "--no-cache", "--jobs", "1", "--format", fmt)
        two = _tilekit(tiles, "validate", ".", "--no-cache", "--jobs", "2", "--format", fmt)
        assert (one.returncode, one.stdout, one.stderr) == (two.returncode, two.stdout, two.stderr)
        assert one.returncode == 1
    assert _none_left_in(tiles)


def test_a_run_that_needs_no_workers_leaves_none_behind(tiles: Path) -> None:
    result = _tilekit(tiles, "validate", "tile_00")
    assert result.returncode == 0, result.stdout
    assert _none_left_in(tiles)


def test_ctrl_c_ends_the_workers_too(tiles: Path) -> None:
    for index in range(40, 800):
        shutil.copytree(EXAMPLE, tiles / f"tile_{index:03}")
    child = subprocess.Popen([sys.executable, "-m", "toolkit", "validate", ".", "--no-cache", "--jobs", "2"],
                             cwd=tiles, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=30)
    assert (child.returncode, err.strip()) == (130, b"Aborted!")
    assert _none_left_in(tiles)
