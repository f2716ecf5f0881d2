"""Property-based fuzzing of `tilekit validate` over mutated real-shaped tiles (SPEC section 9).

Each example copies a base tile, applies a few drawn mutations (manifest values, types and nesting;
README/CHANGELOG bytes; truncated and bit-flipped images; links out of the tile, loops and dangling
links; FIFOs; odd file names), validates it in-process and asserts: no exception, exit 0, 1 or 2,
valid JSON, the tile byte-identical afterwards, and no file opened outside the tile's own folder but
tilekit's own code and data.

Base tiles are the example tile with a real carousel, or, with ``TILEKIT_FUZZ_CORPUS=DIR`` (e.g. a
checkout of integrations-extras), every tile in DIR; ``TILEKIT_FUZZ_EXAMPLES`` sets the number of cases.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE
from tests.imaging import make_image
from toolkit.cli import cli

EXAMPLES = int(os.environ.get("TILEKIT_FUZZ_EXAMPLES", "400"))
CORPUS = os.environ.get("TILEKIT_FUZZ_CORPUS")
NAMES = ["README.md", "CHANGELOG.md", "manifest.json", "metadata.csv", "assets/service_checks.json",
         "images/a.png", "images/b.jpg", "images/c.png", "assets/dashboards/x.json", "assets/logs/x.yaml"]
ODD_NAMES = ["images/shot 1.png", "images/narrow\u202fspace.png", "images/new\nline.png", "images/x.PNG",
             "images/%41.png", "images/..png", "assets/ünï.json"]


def _base_tiles() -> list[Path]:
    if CORPUS:
        return sorted(p.parent for p in Path(CORPUS).glob("*/manifest.json"))
    base = Path(tempfile.mkdtemp(prefix="tilekit-fuzz-base-")) / "acme_cloud"
    shutil.copytree(EXAMPLE, base)
    make_image(base / "images" / "a.png")
    make_image(base / "images" / "b.jpg", size=(2560, 1440))
    make_image(base / "images" / "c.png", size=(1440, 809), mode="RGBA")
    manifest = json.loads((base / "manifest.json").read_text())
    manifest["tile"]["media"] = [{"media_type": "image", "caption": "Overview", "image_url": f"images/{n}"}
                                 for n in ("a.png", "b.jpg", "c.png")]
    (base / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return [base]


BASES = _base_tiles()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
mutation = st.one_of(
    st.tuples(st.just("manifest-value"), st.lists(st.text(max_size=12) | st.integers(0, 3), min_size=1, max_size=4),
              json_values),
    st.tuples(st.just("manifest-text"), st.sampled_from(['NaN', '"\\ud800"', "[" * 3000, "{}", "[]", '"x"', "1e999"]),
              st.booleans()),
    st.tuples(st.just("bytes"), st.sampled_from(NAMES), st.binary(max_size=40), st.floats(0, 1)),
    st.tuples(st.just("truncate"), st.sampled_from(NAMES), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.sampled_from(NAMES), st.floats(0, 1), st.integers(0, 7)),
    st.tuples(st.just("link"), st.sampled_from(NAMES + ["images", "assets"]),
              st.sampled_from(["outside-file", "outside-dir", "loop", "dangling", "inside"])),
    st.tuples(st.just("fifo"), st.sampled_from(NAMES + ODD_NAMES)),
    st.tuples(st.just("odd-name"), st.sampled_from(ODD_NAMES), st.booleans()),
)


def _set(node: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(node, dict):
        name = key if isinstance(key, str) else (list(node) or [""])[key % max(len(node), 1)]
        node[name] = _set(node.get(name), rest, value)
    elif isinstance(node, list) and node:
        index = key if isinstance(key, int) else 0
        node[index % len(node)] = _set(node[index % len(node)], rest, value)
    else:
        return value
    return node


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def _apply(tile: Path, outside: Path, step: tuple[Any, ...]) -> None:
    kind = step[0]
    target = tile / step[1] if isinstance(step[1], str) else tile
    manifest = tile / "manifest.json"
    if kind.startswith("manifest-") and (manifest.is_symlink() or not manifest.is_file()):
        return  # a link or a FIFO put there by an earlier step: the harness must not block on it either
    folders = [tile / part for part in target.relative_to(tile).parents if str(part) != "."]
    if any(f.is_symlink() or (f.exists() and not f.is_dir()) for f in folders):
        return  # an earlier step made a folder on the way a link or a file
    if kind == "manifest-value":
        try:
            data = json.loads((tile / "manifest.json").read_text())
        except (ValueError, OSError, RecursionError):
            return
        (tile / "manifest.json").write_text(json.dumps(_set(data, step[1], step[2])))
    elif kind == "manifest-text":
        text = manifest.read_text(errors="replace")
        spot = text.find(":") + 1 if step[2] else len(text) // 2
        manifest.write_text(text[:spot] + step[1] + text[spot:])
    elif kind in ("bytes", "truncate", "flip"):
        if not target.is_file() or target.is_symlink():
            return
        data = bytearray(target.read_bytes())
        if kind == "bytes":
            at = int(step[3] * len(data))
            data[at:at] = step[2]
        elif kind == "truncate":
            del data[int(step[2] * len(data)):]
        elif data:
            data[min(int(step[2] * len(data)), len(data) - 1)] ^= 1 << step[3]
        target.write_bytes(bytes(data))
    elif kind == "link":
        _remove(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        goal = {"outside-file": outside / "secret.md", "outside-dir": outside, "loop": target,
                "dangling": tile / "nowhere", "inside": tile / "README.md"}[step[2]]
        target.symlink_to(goal)
    elif kind == "fifo":
        _remove(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(target)
    elif kind == "odd-name" and not os.path.lexists(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        image = tile / "images" / "a.png"
        if step[2] and image.is_file() and not image.is_symlink():
            shutil.copyfile(image, target)
        else:
            target.write_bytes(b"\xff\xfe odd \x00")


def _snapshot(root: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every entry under ``root``: its type and, for files, its bytes; links by their target."""
    seen: dict[str, tuple[int, bytes | str]] = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(folder) / name
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                seen[str(path)] = (mode, os.readlink(path))
            elif stat.S_ISREG(mode):
                seen[str(path)] = (mode, path.read_bytes())
            else:
                seen[str(path)] = (mode, "")
    return seen


_OPENED: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _OPENED and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError("tilekit validate hung on a fuzzed tile")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not CORPUS)
@given(base=st.sampled_from(BASES), steps=st.lists(mutation, min_size=1, max_size=4))
def test_validate_survives_mutated_tiles(base: Path, steps: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory(prefix="tilekit-fuzz-") as scratch:
        work, outside = Path(scratch) / "work", Path(scratch) / "outside"
        outside.mkdir()
        (outside / "secret.md").write_text("## Overview\n\nnot the tile's\n")
        tile = work / base.name
        shutil.copytree(base, tile, symlinks=True)
        for step in steps:
            _apply(tile, outside, step)
        before = _snapshot(work)
        here = os.getcwd()
        os.chdir(work)
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(20)
        _OPENED[:] = ["(start)"]
        try:
            result = CliRunner().invoke(cli, ["validate", base.name, "--format", "json"], catch_exceptions=False)
        finally:
            opened, _OPENED[:] = _OPENED[1:], []
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
            os.chdir(here)
        assert result.exit_code in (0, 1), result.output  # 2 would be a crashed rule: a bug the fuzzer found
        report = json.loads(result.output)
        assert report["summary"]["tiles"] == 1
        assert _snapshot(work) == before
        strays = [p for p in opened if os.path.realpath(p).startswith(os.path.realpath(outside))]
        assert strays == []
