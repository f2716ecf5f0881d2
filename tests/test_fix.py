"""tilekit fix: real images repaired by Pillow and LittleCMS and compared with their originals, text files edited in
place, renames with every reference, and the contract (dry run, idempotence, backups, interruption)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageCms

from tests.conftest import EXAMPLE, edit_manifest, findings, run_cli, write
from tests.imaging import DISPLAY_P3_ICC, SRGB_ICC, make_image, mean_error, scene
from toolkit import images as reader
from toolkit.checks import CHECKS
from toolkit.findings import Applicability
from toolkit.rules import Settings, catalogue, configure


def fix(*args: str) -> Any:
    result = run_cli("fix", *args)
    assert result.exit_code in (0, 1), result.output
    return result


def add_image(tile: Path, url: str) -> None:
    edit_manifest(tile, lambda m: m["tile"]["media"].append({"media_type": "image", "caption": "More",
                                                             "image_url": url}))


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def rules_of(select: str | None = None) -> set[str]:
    return {f["rule"] for f in findings("acme_cloud", select=select)}


def icc_of(path: Path) -> bytes:
    with Image.open(path) as image:
        return image.info.get("icc_profile") or b""


def srgb(path: Path) -> bool:
    return reader.srgb_deviation(icc_of(path), 6) == 0


# Images ---------------------------------------------------------------------------------------------------------


def test_palette_screenshot_scaled_converted_and_tagged_in_one_pass(tile: Path) -> None:
    original = scene((2880, 1620))
    original.quantize(256).save(tile / "images" / "big.png")  # a palette PNG, no profile
    add_image(tile, "images/big.png")
    assert rules_of("image/") == {"image/width", "image/color-mode", "image/untagged-color"}
    result = fix("acme_cloud")
    assert result.exit_code == 0
    for rule in ("image/width", "image/color-mode", "image/untagged-color"):
        assert f"acme_cloud/images/big.png: fixed {rule}" in result.output
    with Image.open(tile / "images" / "big.png") as fixed:
        assert fixed.size == (1440, 810) and fixed.mode == "RGB"
        expected = original.quantize(256).convert("RGB").resize((1440, 810), Image.Resampling.LANCZOS)
        assert mean_error(fixed, expected) < 1.0
    assert srgb(tile / "images" / "big.png")
    assert rules_of() == set()


def test_display_p3_converted_to_srgb_keeping_saturated_colours(tile: Path) -> None:
    picture = scene()
    picture.paste((255, 0, 0), (0, 0, 100, 100))  # P3's own red: outside sRGB
    picture.paste((180, 120, 90), (100, 0, 200, 100))  # a skin tone, inside both gamuts
    picture.save(tile / "images" / "p3.png", icc_profile=DISPLAY_P3_ICC)
    add_image(tile, "images/p3.png")
    assert rules_of("image/") == {"image/color-profile"}
    fix("acme_cloud")
    fixed = Image.open(tile / "images" / "p3.png").convert("RGB")
    assert srgb(tile / "images" / "p3.png")
    red, tone = fixed.getpixel((50, 50)), fixed.getpixel((150, 50))
    assert red[0] >= 250 and red[1] <= 40 and red[2] <= 40  # still as red as sRGB can show, not washed out
    # Measured in CIELAB: the in-gamut colour looks the same as before (delta E76 under 2).
    lab = ImageCms.createProfile("LAB")
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(DISPLAY_P3_ICC))
    before = ImageCms.profileToProfile(Image.new("RGB", (1, 1), (180, 120, 90)), p3, lab, outputMode="LAB")
    after = ImageCms.profileToProfile(Image.new("RGB", (1, 1), tone), ImageCms.createProfile("sRGB"), lab,
                                      outputMode="LAB")
    assert before is not None and after is not None
    (l1, a1, b1), (l2, a2, b2) = before.getpixel((0, 0)), after.getpixel((0, 0))
    delta = (((l1 - l2) * 100 / 255) ** 2 + (a1 - a2) ** 2 + (b1 - b2) ** 2) ** 0.5
    assert delta < 2.0
    assert rules_of() == set()


def _scan(data: bytes) -> bytes:
    return data[data.index(b"\xff\xda"):]


def test_untagged_jpeg_gets_a_profile_without_being_re_encoded(tile: Path) -> None:
    exif = Image.Exif()
    exif[0x010E] = "camera notes"
    scene().save(tile / "images" / "shot.jpg", quality=90, exif=exif)
    add_image(tile, "images/shot.jpg")
    before = (tile / "images" / "shot.jpg").read_bytes()
    assert rules_of("image/") == {"image/untagged-color"}
    fix("acme_cloud")
    after = (tile / "images" / "shot.jpg").read_bytes()
    assert _scan(after) == _scan(before)  # the compressed picture, byte for byte
    assert srgb(tile / "images" / "shot.jpg")
    assert Image.open(io.BytesIO(after)).tobytes() == Image.open(io.BytesIO(before)).tobytes()
    assert rules_of() == set()


def test_opaque_alpha_is_dropped_safely_transparent_alpha_needs_unsafe(tile: Path) -> None:
    opaque = scene().convert("RGBA")
    opaque.save(tile / "images" / "opaque.png", icc_profile=SRGB_ICC)
    holed = scene().convert("RGBA")
    holed.paste((0, 0, 0, 0), (0, 0, 200, 200))
    holed.save(tile / "images" / "holed.png", icc_profile=SRGB_ICC)
    add_image(tile, "images/opaque.png")
    add_image(tile, "images/holed.png")
    safe = fix("acme_cloud")
    assert "acme_cloud/images/opaque.png: fixed image/color-mode" in safe.output
    assert "acme_cloud/images/holed.png: not fixed image/color-mode: some pixels are transparent" in safe.output
    assert "[fixable with --unsafe]" in safe.output and safe.exit_code == 1
    assert Image.open(tile / "images" / "opaque.png").tobytes() == scene().tobytes()
    assert Image.open(tile / "images" / "holed.png").mode == "RGBA"
    assert fix("acme_cloud", "--unsafe").exit_code == 0
    flat = Image.open(tile / "images" / "holed.png")
    assert flat.mode == "RGB" and flat.getpixel((10, 10)) == (255, 255, 255)
    assert mean_error(flat.crop((200, 200, 1440, 810)), scene().crop((200, 200, 1440, 810))) == 0


@pytest.mark.parametrize(("crop", "corner"), [(False, (255, 255, 255)), (True, None)])
def test_not_16_9_is_padded_or_cropped_only_with_unsafe(tile: Path, crop: bool, corner: Any) -> None:
    scene((1500, 900)).save(tile / "images" / "wide.png", icc_profile=SRGB_ICC)
    add_image(tile, "images/wide.png")
    untouched = (tile / "images" / "wide.png").read_bytes()
    assert fix("acme_cloud").exit_code == 1
    assert (tile / "images" / "wide.png").read_bytes() == untouched
    assert fix("acme_cloud", "--unsafe", *(["--crop"] if crop else [])).exit_code == 0
    fixed = Image.open(tile / "images" / "wide.png")
    assert fixed.size == (1440, 810)
    if corner:  # 1500x900 is 5:3: white bars of 50 px each side, 45 px once scaled
        assert fixed.getpixel((5, 400)) == corner and fixed.getpixel((1434, 400)) == corner
        inner = scene((1500, 900)).resize((1350, 810), Image.Resampling.LANCZOS)
        assert mean_error(fixed.crop((45, 0, 1395, 810)), inner) < 1.5
    else:
        expected = scene((1500, 900)).crop((0, 28, 1500, 872)).resize((1440, 810), Image.Resampling.LANCZOS)
        assert mean_error(fixed, expected) < 1.5
    assert rules_of() == set()


def test_crop_goes_with_unsafe(tile: Path) -> None:
    result = run_cli("fix", "acme_cloud", "--crop")
    assert result.exit_code == 2 and "--crop changes what a viewer sees" in result.output


def test_16_bit_grey_and_cmyk_become_rgb(tile: Path) -> None:
    Image.new("I;16", (1440, 810), 40000).save(tile / "images" / "grey.png", icc_profile=SRGB_ICC)
    make_image(tile / "images" / "print.jpg", mode="CMYK", icc=None)
    add_image(tile, "images/grey.png")
    add_image(tile, "images/print.jpg")
    fix("acme_cloud")
    grey = Image.open(tile / "images" / "grey.png")
    assert grey.mode == "RGB" and grey.getpixel((0, 0)) == (155, 155, 155)  # 40000 of 65535, not clipped to 255
    assert Image.open(tile / "images" / "print.jpg").mode == "RGB"
    assert rules_of() == set()


def test_exif_rotation_is_applied_before_writing(tile: Path) -> None:
    picture = scene()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side, shown upright
    picture.rotate(90, expand=True).save(tile / "images" / "turned.jpg", quality=95, exif=exif)
    add_image(tile, "images/turned.jpg")
    assert rules_of("image/") == {"image/untagged-color"}
    fix("acme_cloud")
    fixed = Image.open(tile / "images" / "turned.jpg")
    assert fixed.size == (1440, 810) and fixed.getexif().get(0x0112, 1) == 1
    assert mean_error(fixed, picture) < 3
    assert rules_of() == set()


def test_file_size_lossless_when_enough_else_jpeg_with_unsafe(tile: Path) -> None:
    make_image(tile / "images" / "notes.png", exact_bytes=1_200_000)  # a huge text chunk
    noise = Image.frombytes("RGB", (1440, 810), random.Random(3).randbytes(1440 * 810 * 3))
    noise.save(tile / "images" / "noise.png", icc_profile=SRGB_ICC)
    add_image(tile, "images/notes.png")
    add_image(tile, "images/noise.png")
    write(tile / "README.md", (tile / "README.md").read_text() + "\n![Noise](images/noise.png)\n")
    safe = fix("acme_cloud")
    assert "acme_cloud/images/notes.png: fixed image/file-size" in safe.output
    assert (tile / "images" / "notes.png").stat().st_size < 1_000_000
    assert "acme_cloud/images/noise.png: not fixed image/file-size: it is still" in safe.output
    assert fix("acme_cloud", "--unsafe").exit_code == 0
    assert not (tile / "images" / "noise.png").exists()
    assert (tile / "images" / "noise.jpg").stat().st_size <= 1_000_000
    assert "images/noise.jpg" in (tile / "manifest.json").read_text()
    assert "![Noise](images/noise.jpg)" in (tile / "README.md").read_text()
    assert rules_of() == set()


# Renames --------------------------------------------------------------------------------------------------------

RAW = "https://raw.githubusercontent.com/DataDog/integrations-extras/master/acme_cloud/images/"


def test_rename_updates_every_reference_and_never_collides(tile: Path) -> None:
    make_image(tile / "images" / "shot one.png")
    make_image(tile / "images" / "shot_one.png", size=(10, 10))  # taken already, though not in the carousel
    add_image(tile, "images/shot one.png")
    readme = (tile / "README.md").read_text() + (
        "\n![A](images/shot%20one.png)\n\n<img src=\"images/shot one.png\" alt=\"A\">\n\n"
        f"![B]({RAW}shot%20one.png)\n")
    write(tile / "README.md", readme)
    assert rules_of("image/file-name") == {"image/file-name"}
    result = fix("acme_cloud")
    assert "fixed image/file-name: rename it to 'shot_one_2.png' and update its references" in result.output
    assert not (tile / "images" / "shot one.png").exists()
    assert Image.open(tile / "images" / "shot_one.png").size == (10, 10)  # the other file is left alone
    text = (tile / "README.md").read_text()
    assert "![A](images/shot_one_2.png)" in text and '<img src="images/shot_one_2.png"' in text
    assert f"![B]({RAW}shot_one_2.png)" in text and "shot one" not in text and "shot%20one" not in text
    assert json.loads((tile / "manifest.json").read_text())["tile"]["media"][-1]["image_url"] == "images/shot_one_2.png"
    assert rules_of() == set()


def test_two_names_that_clean_up_alike_get_distinct_names(tile: Path) -> None:
    make_image(tile / "images" / "a b.png")
    make_image(tile / "images" / "a.b.png")
    add_image(tile, "images/a b.png")
    add_image(tile, "images/a.b.png")
    fix("acme_cloud")
    urls = [m["image_url"] for m in json.loads((tile / "manifest.json").read_text())["tile"]["media"][-2:]]
    assert sorted(urls) == ["images/a_b.png", "images/a_b_2.png"]
    assert all((tile / url).is_file() for url in urls)
    assert rules_of() == set()


def test_content_and_extension_renames(tile: Path) -> None:
    make_image(tile / "images" / "photo.png", fmt="JPEG")
    make_image(tile / "images" / "diagram.jpeg")
    add_image(tile, "images/photo.png")
    add_image(tile, "images/diagram.jpeg")
    assert rules_of("media/") == {"media/format-mismatch", "media/extension"}
    fix("acme_cloud")
    media = [m["image_url"] for m in json.loads((tile / "manifest.json").read_text())["tile"]["media"][-2:]]
    assert media == ["images/photo.jpg", "images/diagram.jpg"]
    assert rules_of() == set()


# Text -----------------------------------------------------------------------------------------------------------

ENTRY = "\n\n***Added***:\n\n* Initial Release\n"


@pytest.mark.parametrize(("heading", "fixed"), [
    ("### 1.0.0 / 2024-11-20", "## 1.0.0 / 2024-11-20"),
    ("# 1.0.0 / 2024-11-20", "## 1.0.0 / 2024-11-20"),
    ("1.0.0 / 2024-11-20\n------------------", "## 1.0.0 / 2024-11-20"),
    ("## 1.0.0/ 2024-11-20", "## 1.0.0 / 2024-11-20"),
    ("## 1.0.0 /2024-11-20", "## 1.0.0 / 2024-11-20"),
    ("## [v1.0.0] - 2024-11-20", "## 1.0.0 / 2024-11-20"),
    ("## 1.0.0 / Unreleased", "## 1.0.0"),  # no date to give: still a finding, for the partner
    ("## 1.0.0 / 2024-11-20 (beta)", None),  # words of the partner's: not rewritten
])
def test_changelog_headings_keep_crlf(tile: Path, heading: str, fixed: str | None) -> None:
    original = f"# CHANGELOG\n\n{heading}{ENTRY}".replace("\n", "\r\n")
    write(tile / "CHANGELOG.md", original)
    fix("acme_cloud")
    data = (tile / "CHANGELOG.md").read_bytes().decode()
    assert data == (original if fixed is None else f"# CHANGELOG\n\n{fixed}{ENTRY}".replace("\n", "\r\n"))
    left = rules_of("changelog/")
    assert left == ({"changelog/heading-format"} if fixed in (None, "## 1.0.0") else set())


def test_changelog_labels_and_spacing(tile: Path) -> None:
    write(tile / "CHANGELOG.md", "# CHANGELOG\n\n## 1.1.0 / 2025-01-02\n***Added***  \n- Quotas\n\n"
                                 "## 1.0.0 / 2024-11-20\n\n### Fixed\n\n* Everything\n\n[Changed]\n\n* Names\n")
    assert rules_of("changelog/") == {"changelog/spacing", "changelog/section-label"}
    fix("acme_cloud")
    assert (tile / "CHANGELOG.md").read_text() == (
        "# CHANGELOG\n\n## 1.1.0 / 2025-01-02\n\n***Added***:\n\n* Quotas\n\n"
        "## 1.0.0 / 2024-11-20\n\n***Fixed***:\n\n* Everything\n\n***Changed***:\n\n* Names\n")
    assert rules_of() == set()


def test_readme_characters_replaced_where_the_data_says(tile: Path) -> None:
    readme = (tile / "README.md").read_text()
    write(tile / "README.md", readme.replace("## Overview\n", "## Overview\n\nIt\u2019s fast \u2014 really\u2026 \U0001F680\n", 1))
    fix("acme_cloud")
    text = (tile / "README.md").read_text()
    assert "It's fast - really... \U0001F680" in text
    [left] = findings("acme_cloud", select="readme/non-ascii")
    assert "U+1F680" in left["message"] and left["fix"] is None  # no ASCII for a rocket: the partner's call


def test_bom_removed_and_json_edited_in_place(tile: Path) -> None:
    manifest = (tile / "manifest.json").read_text()
    respelt = manifest.replace('"Category::Cloud"', '"Category::clouds"')
    assert respelt != manifest
    write(tile / "manifest.json", "\ufeff" + respelt.replace("\n", "\r\n"))
    assert rules_of("tile/") | rules_of("manifest/") == {"tile/encoding", "manifest/classifier-tag"}
    fix("acme_cloud")
    assert (tile / "manifest.json").read_bytes() == manifest.replace("\n", "\r\n").encode()  # nothing else moved
    assert rules_of() == set()


def test_dashboard_app_ids_set_to_the_manifest_uuid(tile: Path) -> None:
    board = tile / "assets" / "dashboards" / "acme_cloud_overview.json"
    uuid = json.loads((tile / "manifest.json").read_text())["app_uuid"]
    data = json.loads(board.read_text())
    data["widgets"][0].setdefault("definition", {})["app_id"] = "00000000-0000-0000-0000-000000000000"
    text = json.dumps(data, indent=4)
    write(board, text)
    assert rules_of("dashboard/") == {"dashboard/app-uuid"}
    fix("acme_cloud")
    assert board.read_text() == text.replace("00000000-0000-0000-0000-000000000000", uuid)
    assert rules_of() == set()


def test_a_key_given_twice_is_not_edited(tile: Path) -> None:
    board = tile / "assets" / "dashboards" / "acme_cloud_overview.json"
    data = json.loads(board.read_text())
    text = json.dumps(data, indent=2).replace(
        '"widgets": [', '"widgets": [{"definition": {"type": "note", "app_id": "x"}, '
                        '"definition": {"type": "note", "app_id": "y"}}, ', 1)
    write(board, text)
    assert "dashboard/app-uuid" in rules_of("dashboard/")
    result = fix("acme_cloud")
    assert "not fixed dashboard/app-uuid: assets/dashboards/acme_cloud_overview.json is not edited" in result.output
    assert board.read_text() == text  # parsers keep the second app_id: an edit in place would change the first


def test_near_miss_section_promoted_only_with_unsafe(tile: Path) -> None:
    readme = (tile / "README.md").read_text()
    write(tile / "README.md", readme.replace("## Support", "## Troubleshooting"))
    edit_manifest(tile, lambda m: m["tile"].update(support="README.md#Troubleshooting"))
    assert fix("acme_cloud").exit_code == 1
    assert "## Troubleshooting" in (tile / "README.md").read_text()
    assert fix("acme_cloud", "--unsafe").exit_code == 0
    assert (tile / "README.md").read_text() == readme
    assert json.loads((tile / "manifest.json").read_text())["tile"]["support"] == "README.md#Support"
    assert rules_of() == set()


def test_a_promotion_that_would_swallow_siblings_is_left(tile: Path) -> None:
    readme = (tile / "README.md").read_text()
    support = readme.index("## Support")
    broken = readme[:support].replace("## Uninstallation", "### Uninstallation") + readme[support:]
    broken = broken.replace("### Uninstallation", "### Uninstallation\n\nRemove it.\n\n### Afterwards\n\nText.", 1)
    write(tile / "README.md", broken)
    [missing] = findings("acme_cloud", select="readme/missing-section")
    assert missing["fix"] is None
    fix("acme_cloud", "--unsafe")
    assert (tile / "README.md").read_text() == broken


# The contract ---------------------------------------------------------------------------------------------------


def _broken(tile: Path) -> None:
    make_image(tile / "images" / "shot one.png", size=(2880, 1620), mode="P", icc=None)
    add_image(tile, "images/shot one.png")
    write(tile / "README.md", (tile / "README.md").read_text() + "\n![Shot](images/shot%20one.png) \u2014 it\u2019s\n")
    write(tile / "CHANGELOG.md", "# CHANGELOG\r\n\r\n### 1.0.0 / 2024-11-20\r\n\r\n***Added***:\r\n\r\n* Initial\r\n")


def test_dry_run_writes_nothing_and_shows_diffs(tile: Path, tmp_path: Path) -> None:
    _broken(tile)
    before = tree(tmp_path)
    result = fix("acme_cloud", "--dry-run")
    assert tree(tmp_path) == before
    assert "acme_cloud/images/shot one.png: would fix image/width: scale 2880x1620 down to 1440x810" in result.output
    assert "-### 1.0.0 / 2024-11-20\n+## 1.0.0 / 2024-11-20" in result.output
    assert "+![Shot](images/shot_one.png) - it's" in result.output
    assert result.exit_code == 1  # nothing changed: the errors are still there


def test_fix_backs_up_originals_and_a_second_run_changes_nothing(tile: Path, tmp_path: Path) -> None:
    _broken(tile)
    originals = {name: (tile / name).read_bytes() for name in ("README.md", "CHANGELOG.md", "manifest.json",
                                                               "images/shot one.png")}
    result = fix("acme_cloud")
    assert result.exit_code == 0
    backup = Path(result.output.split("originals saved in ")[1].splitlines()[0])
    assert not backup.is_relative_to(tile) and backup.is_relative_to(os.environ["XDG_CACHE_HOME"])
    for name, data in originals.items():
        assert (backup / "acme_cloud" / name).read_bytes() == data
    after = tree(tmp_path)
    again = fix("acme_cloud")
    assert "nothing to fix" in again.output and tree(tmp_path) == after
    assert "originals saved" not in again.output


def test_no_backup(tile: Path) -> None:
    _broken(tile)
    result = fix("acme_cloud", "--no-backup")
    assert "originals saved" not in result.output and result.exit_code == 0


def test_an_interrupted_fix_leaves_whole_files_and_references_that_resolve(tile: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.fix import files

    _broken(tile)
    old = tree(tile)
    reference = tmp_path / "reference"
    shutil.copytree(tile, reference / "acme_cloud")
    monkeypatch.chdir(reference)
    fix("acme_cloud", "--no-backup")
    new = tree(reference / "acme_cloud")
    monkeypatch.chdir(tmp_path)
    real_write = files.write
    for allowed in range(4):  # an exception after 0, 1, 2 or 3 files written
        _restore(tile)
        written = [0]

        def interrupted(path: Path, data: bytes, *args: Any, allowed: int = allowed, written: list[int] = written,
                        **kwargs: Any) -> None:
            if written[0] == allowed:
                raise RuntimeError("injected between two files")
            written[0] += 1
            real_write(path, data, *args, **kwargs)

        monkeypatch.setattr(files, "write", interrupted)
        with pytest.raises(RuntimeError, match="injected"):
            run_cli("fix", "acme_cloud", "--no-backup")
        monkeypatch.setattr(files, "write", real_write)
        for name, digest in tree(tile).items():
            assert digest in (old.get(name), new.get(name)), f"{name} is neither the old nor the new file"
        assert not [name for name in os.listdir(tile / "images") if name.endswith(".tilekit-tmp")]
        assert not rules_of() & {"media/missing-file", "readme/image-missing", "readme/broken-anchor"}


def _restore(tile: Path) -> None:
    """The broken tile of _broken again, rebuilt from the example."""
    shutil.rmtree(tile)
    shutil.copytree(EXAMPLE, tile)
    _broken(tile)


def test_every_fix_comes_from_a_rule_declared_fixable(tile: Path) -> None:
    from toolkit.tile import Limits, Tile

    _broken(tile)
    Image.new("RGBA", (1500, 900), (0, 0, 0, 0)).save(tile / "images" / "clear.png")
    add_image(tile, "images/clear.png")
    write(tile / "manifest.json", "\ufeff" + (tile / "manifest.json").read_text())
    subject = Tile(tile, tile.parent, Limits({".md": 1_000_000, ".json": 10_000_000}))
    seen = 0
    for rule in configure(catalogue(), Settings()):
        if rule.check is None or rule.target != "tile":
            continue
        for problem in CHECKS[rule.check].run(subject, rule.params):
            if problem.fix is None:
                continue
            seen += 1
            assert rule.fix is not None, f"{rule.id} emits fixes but its rules data does not say it is fixable"
            if rule.fix == "unsafe":
                assert problem.fix.applicability is Applicability.UNSAFE, rule.id
    assert seen >= 8


def test_validate_never_imports_the_fixer(tile: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from toolkit.cli import cli\n"
            "try:\n    cli(['validate', 'acme_cloud'])\nexcept SystemExit:\n    pass\n"
            "print('toolkit.fix' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_file_that_cannot_be_written_is_exit_2_naming_it(tile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.fix import files

    _broken(tile)

    def refused(path: Path, data: bytes, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied", str(path))  # what a read-only checkout answers

    monkeypatch.setattr(files, "write", refused)
    result = run_cli("fix", "acme_cloud")
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Permission denied" in result.output and "Traceback" not in result.output


def test_a_palette_image_too_large_as_rgb_still_gets_its_profile(tile: Path) -> None:
    rng = random.Random(5)
    picture = Image.frombytes("P", (1500, 900), bytes(rng.randrange(16) for _ in range(1500 * 900)))
    picture.putpalette([rng.randrange(256) for _ in range(48)] + [0] * (768 - 48))
    picture.save(tile / "images" / "noisy.png")  # about 770 kB; as RGB it would be over 2.5 MB
    add_image(tile, "images/noisy.png")
    result = fix("acme_cloud")
    assert "acme_cloud/images/noisy.png: fixed image/untagged-color" in result.output
    assert "acme_cloud/images/noisy.png: not fixed image/color-mode: the repaired image would be" in result.output
    fixed = Image.open(tile / "images" / "noisy.png")
    assert fixed.mode == "P" and fixed.tobytes() == picture.tobytes() and srgb(tile / "images" / "noisy.png")
    left = {f["rule"]: f["fix"] for f in json.loads(run_cli("fix", "acme_cloud", "--format", "json").stdout)["findings"]}
    assert left == {"image/color-mode": "unsafe", "image/width": "unsafe"}  # fix's own report: what it takes
    assert fix("acme_cloud", "--unsafe").exit_code == 0
    assert rules_of() == set()


def test_a_fix_that_makes_a_new_finding_is_reported_as_a_bug(tile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.checks import changelog
    from toolkit.findings import Edit, Fix

    write(tile / "CHANGELOG.md", f"# CHANGELOG\n\n### 1.0.0 / 2024-11-20{ENTRY}")
    careless = Fix("a fix that also writes a character ddev rejects, which no fix replaces", (
        Edit("CHANGELOG.md", 3, 1, len("### 1.0.0 / 2024-11-20"), "## 1.0.0 / 2024-11-20"),
        Edit("README.md", 1, 1, 0, "\U0001F680 ")))
    monkeypatch.setattr(changelog, "_rewrite_heading", lambda tile, entry: careless)
    result = run_cli("fix", "acme_cloud")
    assert result.exit_code == 2
    assert ("acme_cloud/README.md: error tilekit/internal-error fixing this tile made a new readme/non-ascii finding "
            "appear here") in result.output


# Worker processes -----------------------------------------------------------------------------------------------


def _tiles_to_fix(root: Path) -> None:
    """Six tiles in two folders, two of each name, each with an image, a CHANGELOG heading and a README character
    to fix."""
    for folder in ("a", "b"):
        for index in range(3):
            tile = root / folder / f"tile_{index}"
            shutil.copytree(EXAMPLE, tile)
            scene((2880, 1620)).quantize(64).save(tile / "images" / "big.png")
            add_image(tile, "images/big.png")
            write(tile / "CHANGELOG.md", (tile / "CHANGELOG.md").read_text().replace("## 1.0.0 / ", "## 1.0.0 - "))
            write(tile / "README.md", (tile / "README.md").read_text().replace("## Overview\n", "## Overview\n\u2014\n"))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_workers_fix_exactly_what_one_process_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   fmt: str) -> None:
    results, trees, backups = [], [], []
    for jobs in ("1", "2"):
        root = tmp_path / f"jobs_{jobs}"
        _tiles_to_fix(root)
        monkeypatch.chdir(root)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache_{jobs}"))
        result = run_cli("fix", "a", "b", "--jobs", jobs, "--format", fmt)
        trees.append(tree(root))
        [saved] = (tmp_path / f"cache_{jobs}" / "tilekit" / "backups").iterdir()
        backups.append(tree(saved))
        results.append((result.exit_code, result.output.replace(str(saved), "BACKUPS")))
    assert results[0] == results[1] and results[0][0] == 0
    assert "fixed image/width" in results[0][1] and "BACKUPS" in results[0][1]
    assert trees[0] == trees[1]
    # Two tiles of each name: six backup folders, the same with and without workers.
    assert backups[0] == backups[1]
    assert {name.split("/")[0] for name in backups[0]} == {"tile_0", "tile_1", "tile_2", "tile_0_2", "tile_1_2",
                                                             "tile_2_2"}


def test_a_file_a_worker_cannot_write_is_exit_2_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.fix import files

    _tiles_to_fix(tmp_path)
    monkeypatch.chdir(tmp_path)
    real = files.write

    def refused_in_one_tile(path: Path, data: bytes, *args: Any, **kwargs: Any) -> None:
        if "tile_1" in path.parts and "b" in path.parts:  # what a read-only folder answers; forked workers inherit it
            raise PermissionError(13, "Permission denied", str(path))
        real(path, data, *args, **kwargs)

    monkeypatch.setattr(files, "write", refused_in_one_tile)
    result = run_cli("fix", "a", "b", "--jobs", "2", "--no-backup")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "cannot write" in result.output and "b/tile_1/" in result.output and "Permission denied" in result.output


@pytest.mark.parametrize("delay", [0.6, 1.2])
def test_ctrl_c_during_a_fix_with_workers_leaves_whole_files(tmp_path: Path, delay: float) -> None:
    """The workers are ended as an interrupted run ends: their temporary files removed, every file whole."""
    import signal
    import subprocess
    import sys
    import time

    _tiles_to_fix(tmp_path)
    before = tree(tmp_path)
    child = subprocess.Popen([sys.executable, "-m", "toolkit", "fix", "a", "b", "--jobs", "2", "--no-backup"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=60)
    time.sleep(0.5)  # an ended worker finishes its clean-up on its own
    assert child.returncode in (130, 0), err
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tilekit-tmp")]
    after = tree(tmp_path)
    for name, digest in after.items():
        if name.endswith(".png") and digest != before.get(name):
            with Image.open(tmp_path / name) as image:
                image.load()  # a whole, readable PNG
                assert image.size == (1440, 810)
