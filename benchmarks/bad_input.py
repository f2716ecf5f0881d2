"""Whole-process cost of `tilekit validate` on SPEC section 9's pathological tiles, beside the budget:
any tile under 20 MB is checked in under 2 s and 200 MB RSS, whatever the content.

    python benchmarks/bad_input.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import EXAMPLE, carousel_png, measure

BUDGET_SECONDS, BUDGET_MIB = 2.0, 200.0


def _readme(extra: str) -> Callable[[Path], None]:
    return lambda tile: (tile / "README.md").write_text((EXAMPLE / "README.md").read_text() + extra)


def _media(tile: Path) -> None:
    png = carousel_png()
    manifest = json.loads((tile / "manifest.json").read_text())
    manifest["tile"]["media"] = [{"media_type": "image", "caption": "c", "image_url": f"images/i{i}.png"}
                                 for i in range(10_000)]
    (tile / "manifest.json").write_text(json.dumps(manifest, indent=2))
    for index in range(10):  # 10 real images, 9,990 missing: the rest of the 20 MB would be the same work
        (tile / "images" / f"i{index}.png").write_bytes(png)


CASES: dict[str, Callable[[Path], None]] = {
    "60,000 H3s (under the cap)": _readme("".join(f"### h{i}\n" for i in range(60_000))),
    "README 5.8 MB (over the cap)": _readme("x" * 5_800_000),
    "list nested 3,000 deep": _readme("- " * 3000 + "x\n"),
    "quote nested 3,000 deep": _readme(">" * 3000 + " x\n"),
    "10,000 media entries": _media,
    "manifest nested 10,000 deep": lambda t: (t / "manifest.json").write_text("[" * 10_000 + "]" * 10_000),
    "metadata.csv 9 MB field": lambda t: (t / "metadata.csv").write_text("metric_name,description\nx," + "d" * 9_000_000),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tilekit-bad-") as tmp:
        print(f"budget per tile: {BUDGET_SECONDS:.1f} s, {BUDGET_MIB:.0f} MiB; {options.repeat} runs each")
        for label, make in CASES.items():
            tile = Path(tmp) / "tile"
            shutil.rmtree(tile, ignore_errors=True)
            shutil.copytree(EXAMPLE, tile)
            make(tile)
            times, peak = measure(["validate", "tile", "--no-cache"], options.repeat, Path(tmp))  # checked each run
            best, median = min(times), statistics.median(times)
            ok = median <= BUDGET_SECONDS and peak <= BUDGET_MIB
            print(f"{label:30} median {median * 1000:7.1f} ms (best {best * 1000:6.1f})   peak RSS {peak:6.1f} MiB"
                  f"   {'ok' if ok else 'OVER BUDGET'}")


if __name__ == "__main__":
    main()
