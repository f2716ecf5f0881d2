"""Whole-process timing of `tilekit validate`, `fix` and `preview`: Python start-up, imports, discovery, checks,
repairs, output.

Generates tiles from examples/acme_cloud in a temporary folder, with carousel images (1440x810
sRGB PNGs, each referenced from its tile's manifest), and every tenth tile with a few problems
so that findings are rendered too. Runs tilekit as a subprocess several times per scenario and
reports the best and median wall time and the peak memory of one run. The fix scenario repairs a fresh
copy of a tile whose 8 images all need work (2880x1620 screenshots: palette, alpha, Display P3, untagged)
before each run; the copy is not timed.

tilekit runs with a cache of the benchmark's own. "checked" runs check every tile (`--no-cache`); "recalled"
runs find every tile unchanged since the previous run; "new cache" runs check every tile and store what they
found; the "first run" starts from an empty cache, so the rules data and each manifest are also checked against
their JSON Schemas (once per installed version and per manifest).

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

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme_cloud"
sys.path.insert(0, str(ROOT))  # the repository's own samples
from tests.samples import log_pipeline

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


LOG_PROCESSOR = """    - type: grok-parser
      name: Parse access lines {index}
      enabled: true
      source: message
      samples:
        - "127.0.0.1 - - [04/Mar/2025:12:00:{index:02d} +0000] GET /api/{index} 200"
      grok:
        supportRules: ""
        matchRules: 'rule_{index} %{{ip:network.client.ip}} - - \\[%{{date("dd/MMM/yyyy:HH:mm:ss Z"):date}}\\] %{{word:http.method}} %{{notSpace:http.url}} %{{integer:http.status_code}}'
    - type: attribute-remapper
      name: Map status {index}
      enabled: true
      sources: [http.status_code]
      target: http.status_code_{index}
      preserveSource: false
      overrideOnConflict: false
"""
LOG_TESTS = """id: acme-cloud
tests:
  - sample: "127.0.0.1 - - [04/Mar/2025:12:00:00 +0000] GET /api/0 200"
    result:
      custom:
        status: info
      message: "127.0.0.1 - - [04/Mar/2025:12:00:00 +0000] GET /api/0 200"
    timestamp: 1741089600000
"""
FILLER = (
    "\n### Further configuration\n\nAcme Cloud reports every project it can see. To limit the integration to some "
    "projects, open **Settings > Integrations > Datadog**, choose the projects, and save. Changes take effect within "
    "five minutes; metrics already sent are kept.\n\n```yaml\ninit_config:\ninstances:\n  - url: https://acme.example\n"
    "    projects: [alpha, beta]\n```\n\n| Option | Meaning |\n| --- | --- |\n| url | The Acme Cloud endpoint |\n"
    "| projects | The projects to report |\n"
)


def make_corpus(root: Path, tiles: int = 262) -> None:
    """Tiles shaped like integrations-extras' (measured on its 262 tiles): READMEs of about 3.3 kB, ~370 carousel
    images, ~200 dashboards of ~34 kB (a few with widgets carrying an app_id), ~190 metadata.csv files of ~47
    metrics, ~40 log pipelines with their tests."""
    png = carousel_png()
    for index in range(tiles):
        name = f"tile_{index:04d}"
        tile = root / name
        shutil.copytree(EXAMPLE, tile)
        manifest = json.loads((tile / "manifest.json").read_text())
        images = 1 + (index % 3 != 0) if index % 7 else 0  # about 370 over 262 tiles
        for old in (tile / "images").iterdir():
            old.unlink()
        for number in range(images):
            (tile / "images" / f"screen_{number}.png").write_bytes(png)
        manifest["tile"]["media"] = [{"media_type": "image", "caption": f"Screen {n}", "image_url": f"images/screen_{n}.png"}
                                     for n in range(images)]
        readme = (tile / "README.md").read_text()
        (tile / "README.md").write_text(readme.replace("## Uninstallation", FILLER * 3 + "\n## Uninstallation"))
        boards = tile / "assets" / "dashboards"
        if index % 21 == 20:  # about 250 of 262 keep a dashboard
            shutil.rmtree(boards)
            manifest["assets"].pop("dashboards", None)
        else:
            board = next(boards.glob("*.json"))
            data = json.loads(board.read_text())
            if index % 50:  # widgets carrying an app_id: in 4 of the 213 dashboards of integrations-extras
                pending = list(data["widgets"])
                while pending:
                    definition = pending.pop().get("definition", {})
                    definition.pop("app_id", None)
                    pending += definition.get("widgets", [])
            data["widgets"] = data["widgets"] * max(1, 34_000 // max(1, len(json.dumps(data))))
            board.write_text(json.dumps(data, indent=2))
        if index % 4 == 3:  # about 190 of 262 keep metadata.csv
            (tile / "metadata.csv").unlink()
            manifest["assets"].get("integration", {}).get("metrics", {}).pop("metadata_path", None)
        else:
            lines = (tile / "metadata.csv").read_text().splitlines()
            rows = [lines[1], *(lines[1].replace("api.requests", f"api.requests_{n}") for n in range(46))]
            (tile / "metadata.csv").write_text("\n".join([lines[0], *rows]) + "\n")
        if index % 6 == 0 and index < 240:  # 40 log pipelines
            logs = tile / "assets" / "logs"
            logs.mkdir()
            processors = "".join(LOG_PROCESSOR.format(index=n) for n in range(12))
            (logs / "acme_cloud.yaml").write_text(log_pipeline(processors))
            (logs / "acme_cloud_tests.yaml").write_text(LOG_TESTS)
            manifest["assets"]["logs"] = {"source": "acme_cloud"}
        (tile / "manifest.json").write_text(json.dumps(manifest, indent=2))


def ddev_readmes(corpus: Path, repeat: int) -> list[float] | None:
    """Wall seconds of `ddev validate readmes` over the corpus, when ddev is installed (None otherwise)."""
    root = Path(__file__).resolve().parent.parent
    candidates = [os.environ.get("TILEKIT_DDEV"), str(root / ".venv-ddev" / "bin" / "ddev"), shutil.which("ddev")]
    ddev = next((c for c in candidates if c and Path(c).is_file()), None)
    if ddev is None:
        return None
    env = {**os.environ, "HOME": str(corpus.parent / "ddev-home")}
    for step in (["git", "init", "-q"], ["git", "add", "-A"],
                 ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "corpus"],
                 [ddev, "config", "set", "repos.extras", str(corpus)]):
        subprocess.run(step, cwd=corpus, env=env, check=True, capture_output=True)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([ddev, "--no-interactive", "-e", "validate", "readmes"], cwd=corpus, env=env,
                       capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


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


# tilekit's environment in every run: a cache of the benchmark's own (emptied where a scenario says so), and
# bytecode written as an installed package has it (PYTHONDONTWRITEBYTECODE would compile every module every run).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def command() -> list[str]:
    script = Path(sys.executable).with_name("tilekit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "toolkit"]


def measure(args: list[str], repeat: int, cwd: Path, prepare: Any = None) -> tuple[list[float], float]:
    """Wall seconds of ``repeat`` runs after one untimed warm-up run (bytecode written, files in the page cache,
    as on any machine that ran tilekit before), and the peak RSS (MiB) of one run; ``prepare`` runs before each
    run, untimed."""
    times = []
    for number in range(repeat + 1):
        if prepare:
            prepare()
        start = time.perf_counter()
        subprocess.run(command() + args, cwd=cwd, stdout=subprocess.DEVNULL, check=False, env=ENV)
        if number:
            times.append(time.perf_counter() - start)
    if prepare:
        prepare()
    return times, _peak_rss(args, cwd)


def line(label: str, times: list[float], budget: float, extra: str = "") -> str:
    median = statistics.median(times)
    verdict = "ok" if median * 1000 <= budget else "OVER"
    return (f"{label:34} min {min(times) * 1000:7.1f}  median {median * 1000:7.1f}  max {max(times) * 1000:7.1f} ms"
            f"   budget {budget:5.0f} ms {verdict}{extra}")


def _peak_rss(args: list[str], cwd: Path) -> float:
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *command(), *args], cwd=cwd, capture_output=True, text=True,
                         check=True, env=ENV)
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

        corpus = Path(tmp) / "extras"
        corpus.mkdir()
        make_corpus(corpus)

        cache = Path(tmp) / "cache"
        ENV["XDG_CACHE_HOME"] = str(cache)

        def forget_tiles() -> None:
            shutil.rmtree(cache / "tilekit" / "tiles", ignore_errors=True)

        def forget_all() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        print(f"{command()[0]}; {options.repeat} runs each after a warm-up run; {os.cpu_count()} CPUs; all rules on")
        print("checked: every tile checked (`--no-cache`, or nothing remembered); recalled: tiles unchanged since the "
              "last run")
        medians = {}
        for label, args, cwd, prepare, budget in [
            ("--version (start-up floor)", ["--version"], one, None, 60),
            (f"1 tile, {MAX_PER_TILE} images, checked", ["validate", "tile_0000", "--no-cache"], one, None, 150),
            (f"{options.tiles} tiles, {options.images} images, checked", ["validate", ".", "--no-cache"], many, None,
             1500),
            ("262 tiles like extras, checked", ["validate", ".", "--no-cache"], corpus, None, 600),
            ("262 tiles like extras, recalled", ["validate", "."], corpus, None, 600),
            ("262 tiles like extras, new cache", ["validate", "."], corpus, forget_tiles, 600),
            (f"fix: {MAX_PER_TILE} images to repair", ["fix", "tile_0000", "--no-backup"], work, fresh_copy, 3000),
            (f"preview: 1 tile, {MAX_PER_TILE} images", ["preview", "tile_0000", "-o", str(Path(tmp) / "p.html")], one,
             None, 1000),
        ]:
            times, peak = measure(args, options.repeat, cwd, prepare)
            print(line(label, times, budget, f"   peak RSS {peak:6.1f} MiB"))
            medians[label] = statistics.median(times)
        first, _peak = measure(["validate", "."], options.repeat, corpus, forget_all)
        print(f"{'262 tiles like extras, first run':34} min {min(first) * 1000:7.1f}  median "
              f"{statistics.median(first) * 1000:7.1f}  max {max(first) * 1000:7.1f} ms   once per installed version "
              "and per manifest: the rules data and manifests checked against their schemas")
        ddev = ddev_readmes(corpus, max(3, options.repeat // 2))
        if ddev is None:
            print("ddev not installed: no comparison with `ddev validate readmes` (.venv-ddev, TILEKIT_DDEV or PATH)")
            return
        print(f"{'ddev validate readmes, same corpus':34} min {min(ddev):7.2f}  median {statistics.median(ddev):7.2f}"
              f"  max {max(ddev):7.2f} s")
        for label in ("262 tiles like extras, checked", "262 tiles like extras, recalled"):
            ratio = statistics.median(ddev) / medians[label]
            print(f"  tilekit, {label.split(', ')[1]}: {ratio:.1f}x faster (budget: at least 3x) "
                  f"{'ok' if ratio >= 3 else 'UNDER'}")


if __name__ == "__main__":
    main()
