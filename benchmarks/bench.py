"""Whole-process timing of `tilekit validate`: Python start-up, imports, discovery, checks, output.

Generates tiles from examples/acme_cloud in a temporary folder (every tenth one with a few
problems, so findings are rendered too), then runs tilekit as a subprocess several times and
reports the best and median wall time and the peak memory of the run.

    python benchmarks/bench.py --tiles 300 --repeat 7
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme_cloud"


def make_tiles(root: Path, count: int) -> None:
    for index in range(count):
        tile = root / f"tile_{index:04d}"
        shutil.copytree(EXAMPLE, tile)
        manifest = json.loads((tile / "manifest.json").read_text())
        manifest["app_id"] = f"tile-{index:04d}"
        if index % 10 == 0:
            manifest["tile"]["support"] = "README.md#Help"
            readme = (tile / "README.md").read_text().replace("## Support", "## Troubleshooting")
            (tile / "README.md").write_text(readme)
        (tile / "manifest.json").write_text(json.dumps(manifest, indent=2))


def command() -> list[str]:
    script = Path(sys.executable).with_name("tilekit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "toolkit"]


def measure(args: list[str], repeat: int, cwd: Path) -> tuple[float, float, float]:
    """Best and median wall seconds over ``repeat`` runs, and the peak RSS (MiB) of one run."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command() + args, cwd=cwd, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    peak = _peak_rss(args, cwd)
    return min(times), statistics.median(times), peak


def _peak_rss(args: list[str], cwd: Path) -> float:
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *command(), *args], cwd=cwd, capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tilekit-bench-") as tmp:
        root = Path(tmp)
        make_tiles(root, options.tiles)
        print(f"{options.tiles} generated tiles in {root}; {options.repeat} runs each; {os.cpu_count()} CPUs")
        for label, args in [
            ("--version (start-up floor)", ["--version"]),
            ("one tile", ["validate", "tile_0001"]),
            (f"{options.tiles} tiles", ["validate", "."]),
        ]:
            best, median, peak = measure(args, options.repeat, root)
            print(f"{label:32} best {best * 1000:7.1f} ms   median {median * 1000:7.1f} ms   peak RSS {peak:6.1f} MiB")


if __name__ == "__main__":
    main()
