"""media/* and image/* rules on real PNG and JPEG files made with Pillow."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import edit_manifest, findings, found, write
from tests.imaging import DISPLAY_P3_ICC, DISPLAY_SRGB_CLONE_ICC, MONITOR_ICC, make_image

M = "acme_cloud/manifest.json"
NO_MIN = 'ignore = ["media/min-images"]\n'


@pytest.fixture(autouse=True)
def one_image_is_enough(tile: Path, tmp_path: Path) -> None:
    """These tests put one or two images in the carousel; the at-least-3 advice is tested in test_pr_rules."""
    write(tmp_path / ".tilekit.toml", NO_MIN)


def carousel(tile: Path, *urls: str, video: str | None = None, caption: str = "The overview dashboard") -> None:
    entries: list[dict[str, Any]] = [{"media_type": "image", "caption": caption, "image_url": u} for u in urls]
    if video:
        entries.append({"media_type": "video", "caption": "A tour", "image_url": video, "vimeo_id": 123456789})
    edit_manifest(tile, lambda m: m["tile"].update(media=entries))


def line_of(tile: Path, needle: str) -> int:
    """The manifest line holding ``needle``: an independent way to know where a key sits."""
    lines = (tile / "manifest.json").read_text().splitlines()
    [number] = [i for i, text in enumerate(lines, start=1) if needle in text]
    return number


def media_rules(tile: Path) -> list[tuple[str, str, int | None]]:
    return [f for f in found("acme_cloud") if f[0].startswith(("media/", "image/"))]


def image_rules(tile: Path, name: str, **options: Any) -> list[str]:
    """The rule ids reported for one carousel image made with ``options``."""
    make_image(tile / "images" / name, **options)
    carousel(tile, f"images/{name}")
    return [rule for rule, path, _line in found("acme_cloud", select="image/")
            if path == f"acme_cloud/images/{name}"]


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("ok.png", {}, []),
        ("ok.jpg", {}, []),
        ("tagged_by_chunk.png", {"icc": None, "srgb_chunk": True}, []),
        ("tagged_by_exif.jpg", {"icc": None, "exif_srgb": True}, []),
        ("untagged.png", {"icc": None}, ["image/untagged-color"]),
        ("untagged.jpg", {"icc": None}, ["image/untagged-color"]),
        ("rgba.png", {"mode": "RGBA"}, ["image/color-mode"]),
        ("palette.png", {"mode": "P"}, ["image/color-mode"]),
        ("grey.png", {"mode": "L"}, ["image/color-mode"]),
        ("cmyk.jpg", {"mode": "CMYK", "icc": None}, ["image/color-mode", "image/untagged-color"]),
        ("p3.png", {"icc": DISPLAY_P3_ICC}, ["image/color-profile"]),
        ("monitor.jpg", {"icc": MONITOR_ICC}, ["image/color-profile"]),
        ("short.png", {"size": (1440, 809)}, ["image/aspect-ratio"]),
        ("tall.png", {"size": (1440, 811)}, ["image/aspect-ratio"]),
        ("retina.png", {"size": (2560, 1440)}, ["image/width"]),
        ("retina2.png", {"size": (2880, 1620)}, ["image/width"]),
        ("portrait.png", {"size": (810, 1440)}, ["image/width"]),
        ("rotated.jpg", {"size": (810, 1440), "orientation": 6}, []),
        ("rotated_wrong.jpg", {"size": (1440, 810), "orientation": 8}, ["image/width"]),
        ("tall_screenshot.png", {"size": (3961, 4418)}, ["image/width"]),  # measured, not called a bomb
        ("display_srgb_clone.png", {"icc": DISPLAY_SRGB_CLONE_ICC}, []),  # "Display", converting like sRGB
        ("gamma_chunks.png", {"icc": None, "gamma_chunks": True}, []),  # gAMA + cHRM: colour information
        ("upper.PNG", {}, []),
        ("max_tall.png", {"size": (1440, 2560), "icc": None, "srgb_chunk": True}, ["image/aspect-ratio"]),
        ("big.png", {"exact_bytes": 1_000_001}, ["image/file-size"]),
        ("just_fits.png", {"exact_bytes": 1_000_000}, []),
    ],
)
def test_image_rules(tile: Path, name: str, options: dict[str, Any], expected: list[str]) -> None:
    assert sorted(image_rules(tile, name, **options)) == expected


def test_messages_give_measured_and_required_values(tile: Path) -> None:
    make_image(tile / "images/short.png", size=(1440, 809), mode="RGBA", icc=DISPLAY_P3_ICC)
    carousel(tile, "images/short.png")
    messages = {f["rule"]: f["message"] for f in findings("acme_cloud", select="image/")}
    assert messages["image/aspect-ratio"] == "1440x809 is 1 px short of 16:9; pad or crop it to 1440x810"
    assert "image/height" not in messages  # one finding per defect: the ratio explains the height
    assert messages["image/color-mode"] == ("the colour mode is RGBA (RGB with an alpha channel); it must be RGB: "
                                            "flatten it onto an opaque background and save it as RGB, without an "
                                            "alpha channel (`tilekit fix` does it when no pixel is transparent; "
                                            "`tilekit fix --unsafe` in any case)")
    assert messages["image/color-profile"].startswith("the embedded colour profile 'Display P3' is not sRGB: it "
                                                      "shifts colours by up to 102 of 255 per channel")


def test_rotated_image_message_names_the_orientation(tile: Path) -> None:
    make_image(tile / "images/r.jpg", size=(1440, 810), orientation=6)
    carousel(tile, "images/r.jpg")
    [width] = [f["message"] for f in findings("acme_cloud", select="image/width")]
    assert width.startswith("810x1440 as displayed (stored 1440x810, EXIF orientation 6) is not 16:9")


def test_truncated_and_corrupt_images_are_unreadable(tile: Path) -> None:
    good = make_image(tile / "images/good.png").read_bytes()
    write(tile / "images/cut.png", good[: len(good) // 2])
    jpeg = make_image(tile / "images/good.jpg").read_bytes()
    write(tile / "images/cut.jpg", jpeg[: len(jpeg) - 200])
    write(tile / "images/noise.png", b"\x89PNG\r\n\x1a\n" + os.urandom(300))
    write(tile / "images/empty.png", b"")
    carousel(tile, "images/cut.png", "images/cut.jpg", "images/noise.png", "images/empty.png")
    assert media_rules(tile) == [
        ("image/unreadable", "acme_cloud/images/cut.jpg", None),
        ("image/unreadable", "acme_cloud/images/cut.png", None),
        ("image/unreadable", "acme_cloud/images/empty.png", None),
        ("image/unreadable", "acme_cloud/images/noise.png", None),
    ]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_decompression_bomb_is_reported_without_decoding(tile: Path) -> None:
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    bomb = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"sRGB", b"\x00")
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + _png_chunk(b"IEND", b""))
    write(tile / "images/bomb.png", bomb)
    carousel(tile, "images/bomb.png")
    [bomb_finding] = findings("acme_cloud", select="image/")  # this finding only: nothing else can be measured
    assert bomb_finding["rule"] == "image/unreadable"
    assert "declares 50000x50000 = 2,500,000,000 pixels, more than the 89,478,485" in bomb_finding["message"]
    assert "bomb" not in bomb_finding["message"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Screen Shot 2024-01-01.png", ["image/file-name"]),
        ("Screenshot\u202f10.42.png", ["image/file-name"]),
        ("dash.board.png", ["image/file-name"]),
        ("Dash_Board-2.png", []),
    ],
)
def test_image_file_names(tile: Path, name: str, expected: list[str]) -> None:
    assert image_rules(tile, name) == expected


def test_file_name_message_names_invisible_characters(tile: Path) -> None:
    image_rules(tile, "Screenshot\u202f10.png")
    [f] = findings("acme_cloud", select="image/file-name")
    assert "U+202F NARROW NO-BREAK SPACE" in f["message"] and "'Screenshot_10.png'" in f["message"]


def test_extension_and_format(tile: Path) -> None:
    make_image(tile / "images/photo.jpeg")
    make_image(tile / "images/SHOUT.PNG")
    make_image(tile / "images/liar.png", fmt="JPEG")
    carousel(tile, "images/photo.jpeg", "images/SHOUT.PNG", "images/liar.png")
    assert media_rules(tile) == [
        ("media/format-mismatch", "acme_cloud/images/liar.png", None),
        ("media/extension", M, line_of(tile, "photo.jpeg")),  # .PNG is accepted, as ddev accepts it
    ]
    # The advice, followed: rename to what the message proposes and update image_url.
    [message] = [f["message"] for f in findings("acme_cloud", select="media/extension")]
    assert message.endswith("rename the file to 'images/photo.jpg' and update image_url")
    (tile / "images/photo.jpeg").rename(tile / "images/photo.jpg")
    carousel(tile, "images/photo.jpg", "images/SHOUT.PNG")
    assert media_rules(tile) == []


def test_unsafe_and_missing_paths(tile: Path, tmp_path: Path) -> None:
    outside = make_image(tmp_path / "elsewhere" / "x.png")
    (tile / "images/linked.png").symlink_to(outside)
    (tile / "images/folder.png").mkdir()
    make_image(tile / "images/Case.png")
    urls = ["https://example.com/a.png", "/abs/a.png", "../other/a.png", "images/linked.png", "images/folder.png",
            "images/nope.png", "images/case.png"]
    carousel(tile, *urls)
    lines = {url: line_of(tile, f'"{url}"') for url in urls}
    assert media_rules(tile) == [
        ("media/path", M, lines["https://example.com/a.png"]),
        ("media/path", M, lines["/abs/a.png"]),
        ("media/path", M, lines["../other/a.png"]),
        ("media/path", M, lines["images/linked.png"]),
        ("media/path", M, lines["images/folder.png"]),
        ("media/missing-file", M, lines["images/nope.png"]),
        ("media/missing-file", M, lines["images/case.png"]),
    ]
    [case] = [f["message"] for f in findings("acme_cloud", select="media/missing-file") if "case.png" in f["message"]]
    assert "named 'images/Case.png'" in case


def test_link_inside_the_tile_is_fine(tile: Path) -> None:
    make_image(tile / "images/real.png")
    (tile / "images/alias.png").symlink_to(tile / "images/real.png")
    carousel(tile, "images/alias.png")
    assert media_rules(tile) == []


def test_counts(tile: Path) -> None:
    for i in range(9):
        make_image(tile / f"images/s{i}.png")
    carousel(tile, *(f"images/s{i}.png" for i in range(7)), video="images/s8.png")
    assert media_rules(tile) == []
    carousel(tile, *(f"images/s{i}.png" for i in range(9)))
    assert media_rules(tile) == [("media/count", M, line_of(tile, '"media"'))]
    carousel(tile, *(f"images/s{i}.png" for i in range(8)), video="images/s8.png")
    assert [f["message"].split(";")[0] for f in findings("acme_cloud", select="media/count")] == [
        "$.tile.media has 9 entries",
        "$.tile.media has 8 images beside a video",
    ]


def test_two_videos(tile: Path) -> None:
    make_image(tile / "images/t.png")
    video = {"media_type": "video", "caption": "c", "image_url": "images/t.png", "vimeo_id": 1}
    edit_manifest(tile, lambda m: m["tile"].update(media=[video, dict(video)]))
    assert media_rules(tile) == [("media/count", M, line_of(tile, '"media"'))]


@pytest.mark.parametrize(("caption", "bad"), [("", True), ("   ", True), ("x" * 300, False), ("x" * 301, True)])
def test_captions(tile: Path, caption: str, bad: bool) -> None:
    make_image(tile / "images/a.png")
    carousel(tile, "images/a.png", caption=caption)
    expected = [("media/caption", M, line_of(tile, '"caption"'))] if bad else []
    assert media_rules(tile) == expected


def test_video_thumbnail_is_checked_like_any_image(tile: Path) -> None:
    make_image(tile / "images/thumb.png", mode="RGBA")
    carousel(tile, video="images/thumb.png")
    assert media_rules(tile) == [("image/color-mode", "acme_cloud/images/thumb.png", None)]


def test_an_image_used_twice_is_reported_once(tile: Path) -> None:
    make_image(tile / "images/a.png", size=(1440, 800))
    carousel(tile, "images/a.png", "images/a.png")
    assert media_rules(tile) == [("image/aspect-ratio", "acme_cloud/images/a.png", None)]


def test_committed_videos(tile: Path) -> None:
    write(tile / "images/Acme-Cloud.mp4", b"\x00\x00\x00\x18ftypisom")
    write(tile / "assets/tour.MOV", b"moov")
    assert media_rules(tile) == [
        ("media/video-file", "acme_cloud/assets/tour.MOV", None),
        ("media/video-file", "acme_cloud/images/Acme-Cloud.mp4", None),
    ]


def test_config_can_widen_the_width(tile: Path, tmp_path: Path) -> None:
    write(tmp_path / ".tilekit.toml", NO_MIN + '[rules."image/width".params]\nmin_width = 1440\nmax_width = 2880\n')
    assert image_rules(tile, "retina.png", size=(2880, 1620)) == []
    # The widened range reaches the other dimension rules too: their advice names a size within it.
    assert image_rules(tile, "odd.png", size=(2001, 1200)) == ["image/aspect-ratio"]
    [message] = [f["message"] for f in findings("acme_cloud", select="image/aspect-ratio")]
    assert message == "2001x1200 is not 16:9 (2001:1200); crop or pad it to 16:9, then scale it to 2000x1125"


def test_no_pixel_is_decoded(tile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Header facts only: Pillow's load() (which decodes) is never called, for PNG or JPEG."""
    from PIL import ImageFile

    loads: list[str] = []
    original = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        loads.append(str(self.format))
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    make_image(tile / "images/a.png")  # no EXIF: Pillow's getexif() would load() the PNG to look for it
    make_image(tile / "images/b.jpg", size=(810, 1440), orientation=6)
    carousel(tile, "images/a.png", "images/b.jpg")
    assert media_rules(tile) == []
    assert loads == []


def _follow(tile: Path, rel: str, message: str) -> str:
    """Do what a finding's message says, with Pillow as a partner's editor would; return the image's path."""
    import io
    import re

    from PIL import Image, ImageCms

    from tests.imaging import SRGB_ICC

    path = tile / rel
    image = Image.open(path)
    icc = image.info.get("icc_profile", SRGB_ICC)
    if size := re.search(r"(?:scale it to|pad or crop it to) (\d+)x(\d+)", message):
        image = image.resize((int(size.group(1)), int(size.group(2))), Image.Resampling.LANCZOS)
    elif "it must be RGB" in message:
        image = image.convert("RGBA").convert("RGB") if "flatten" in message else image.convert("RGB")
    elif "is not sRGB" in message:
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), srgb)
        icc = SRGB_ICC
    elif rename := re.search(r"rename it to '([^']+)'", message):
        path.unlink()
        path = path.with_name(rename.group(1))
        carousel(tile, f"images/{path.name}")
    image.save(path, icc_profile=icc)
    return f"images/{path.name}"


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("short.png", {"size": (1440, 809)}),
        ("tall.png", {"size": (1440, 811)}),
        ("retina.png", {"size": (2560, 1440)}),
        ("odd.png", {"size": (1715, 965)}),
        ("small.png", {"size": (1280, 720)}),
        ("rgba.png", {"mode": "RGBA"}),
        ("palette.png", {"mode": "P"}),
        ("grey.png", {"mode": "L"}),
        ("p3.png", {"icc": DISPLAY_P3_ICC}),
        ("Screen Shot 1.png", {}),
    ],
)
def test_following_the_advice_leaves_no_finding(tile: Path, name: str, options: dict[str, Any]) -> None:
    rel = f"images/{name}"
    make_image(tile / rel, **options)
    carousel(tile, rel)
    [finding] = [f for f in findings("acme_cloud") if f["rule"].startswith(("image/", "media/"))]
    rel = _follow(tile, rel, finding["message"])
    assert [f for f in found("acme_cloud") if f[0].startswith(("image/", "media/"))] == [], rel
