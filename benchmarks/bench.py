"""Whole-process timing of `tilekit validate`, `fix` and `preview`: Python start-up, imports, discovery, checks,
repairs, output.

Generates tiles from examples/acme_cloud in a temporary folder, with carousel images (1440x810
sRGB PNGs, each referenced from its tile's manifest), and every tenth tile with a few problems
so that findings are rendered too. Runs tilekit as a subprocess several times per scenario and
reports the best and median wall time and the peak memory of one run. The fix scenario repairs a fresh
copy of a tile whose 8 images all need work (2880x1620 screenshots: palette, alpha, Display P3, untagged)
before each run; the copy is not timed.

    python benchmarks/bench.py                       # SPEC section 10's scenarios
    python benchmarks/bench.py --tiles 300 --images 1000 --repeat 9
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme_cloud"
MAX_PER_TILE = 8


def carousel_png() -> bytes:
    from PIL import Image, ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.effect_mandelbrot((1440, 810), (-2.0, -1.0, 1.0, 1.0), 100).convert("RGB").save(
        buffer, "PNG", icc_profile=srgb
    )
    return buffer.getvalue()


def make_tiles(root: Path, tiles: int, images: int) -> None:
    png = carousel_png()
    per_tile = [images // tiles + (1 if i < images % tiles else 0) for i in range(tiles)]
    for index, count in enumerate(per_tile):
        tile = root / f"tile_{index:04d}"
        shutil.copytree(EXAMPLE, tile)
        manifest = json.loads((tile / "manifest.json").read_text())
        manifest["app_id"] = f"tile-{index:04d}"
        media = []
        for number in range(min(count, MAX_PER_TILE)):
            (tile / "images" / f"screen_{number}.png").write_bytes(png)
            media.append({"media_type": "image", "caption": f"Screen {number}", "image_url": f"images/screen_{number}.png"})
        manifest["tile"]["media"] = media
        if index % 10 == 0:
            manifest["tile"]["support"] = "README.md#Help"
            readme = (tile / "README.md").read_text().replace("## Support", "## Troubleshooting")
            (tile / "README.md").write_text(readme)
        (tile / "manifest.json").write_text(json.dumps(manifest, indent=2))


def broken_images(tile: Path) -> None:
    """Eight 2880x1620 screenshots that `tilekit fix` must scale, convert and tag, in the carousel."""
    from PIL import Image

    manifest = json.loads((tile / "manifest.json").read_text())
    picture = Image.effect_mandelbrot((2880, 1620), (-2.0, -1.0, 1.0, 1.0), 100).convert("RGB")
    media = []
    for number in range(MAX_PER_TILE):
        name = f"images/screen_{number}.png"
        variant = [picture.quantize(256), picture.convert("RGBA"), picture, picture.convert("L")][number % 4]
        variant.save(tile / name)
        media.append({"media_type": "image", "caption": f"Screen {number}", "image_url": name})
    manifest["tile"]["media"] = media
    (tile / "manifest.json").write_text(json.dumps(manifest, indent=2))


def command() -> list[str]:
    script = Path(sys.executable).with_name("tilekit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "toolkit"]


def measure(args: list[str], repeat: int, cwd: Path, prepare: Any = None) -> tuple[float, float, float]:
    """Best and median wall seconds over ``repeat`` runs, and the peak RSS (MiB) of one run; ``prepare`` runs
    before each, untimed."""
    times = []
    for _ in range(repeat):
        if prepare:
            prepare()
        start = time.perf_counter()
        subprocess.run(command() + args, cwd=cwd, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    if prepare:
        prepare()
    return min(times), statistics.median(times), _peak_rss(args, cwd)


def _peak_rss(args: list[str], cwd: Path) -> float:
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *command(), *args], cwd=cwd, capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=300)
    parser.add_argument("--images", type=int, default=1000, help="carousel images over all tiles (8 per tile at most)")
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tilekit-bench-") as tmp:
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        one.mkdir()
        many.mkdir()
        make_tiles(one, 1, MAX_PER_TILE)
        make_tiles(many, options.tiles, options.images)
        pristine, work = Path(tmp) / "pristine", Path(tmp) / "work"
        pristine.mkdir()
        make_tiles(pristine, 1, MAX_PER_TILE)
        broken_images(pristine / "tile_0000")

        def fresh_copy() -> None:
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(pristine, work)

        print(f"{command()[0]}; {options.repeat} runs each; {os.cpu_count()} CPUs")
        for label, args, cwd, prepare, budget in [
            ("--version (start-up floor)", ["--version"], one, None, 60),
            (f"1 tile, {MAX_PER_TILE} images", ["validate", "tile_0000"], one, None, 150),
            (f"{options.tiles} tiles, {options.images} images", ["validate", "."], many, None, 1500),
            (f"fix: {MAX_PER_TILE} images to repair", ["fix", "tile_0000", "--no-backup"], work, fresh_copy, 3000),
            (f"preview: 1 tile, {MAX_PER_TILE} images", ["preview", "tile_0000", "-o", str(Path(tmp) / "p.html")], one,
             None, 1000),
        ]:
            best, median, peak = measure(args, options.repeat, cwd, prepare)
            print(f"{label:32} best {best * 1000:7.1f} ms   median {median * 1000:7.1f} ms   budget {budget:5d} ms"
                  f"   peak RSS {peak:6.1f} MiB")


if __name__ == "__main__":
    main()
