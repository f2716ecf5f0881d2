"""Real images for tests: PNG and JPEG files written by Pillow, with real ICC profiles and EXIF."""

from __future__ import annotations

import struct
from pathlib import Path

from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def icc_profile(description: str, red: tuple[float, float, float], green: tuple[float, float, float],
                blue: tuple[float, float, float], srgb_curve: bool = False) -> bytes:
    """An ICC v2 RGB display profile (matrix/TRC) with the given description and D50 primaries; its tone
    curve is gamma 2.2, or sRGB's own piecewise curve (a parametric curve of type 3)."""
    ascii_desc = description.encode("ascii") + b"\x00"
    desc = (b"desc\x00\x00\x00\x00" + struct.pack(">I", len(ascii_desc)) + ascii_desc
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\x00" * 67)

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \x00\x00\x00\x00" + b"".join(_s15(v) for v in values)

    curve = b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, 0x0233) + b"\x00\x00"  # gamma 2.2
    if srgb_curve:  # Y = (aX + b)^g for X >= d, else cX
        curve = b"para\x00\x00\x00\x00" + struct.pack(">HH", 3, 0) + b"".join(
            _s15(v) for v in (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045))
    tags = [(b"desc", desc), (b"wtpt", xyz((0.9642, 1.0, 0.8249))), (b"rXYZ", xyz(red)), (b"gXYZ", xyz(green)),
            (b"bXYZ", xyz(blue)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
            (b"cprt", b"text\x00\x00\x00\x00No copyright, test data\x00")]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\x00" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2024, 1, 1, 0, 0, 0) + b"acspAPPL" + b"\x00" * 24
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"lcms")
    header += b"\x00" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


DISPLAY_P3_ICC = icc_profile("Display P3", (0.5151, 0.2412, -0.0011), (0.2920, 0.6922, 0.0419),
                             (0.1571, 0.0666, 0.7841))
# What macOS writes as "Display" for an sRGB screen: sRGB's primaries (adapted to D50) and curve.
DISPLAY_SRGB_CLONE_ICC = icc_profile("Display", (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971),
                                     (0.1431, 0.0606, 0.7141), srgb_curve=True)
MONITOR_ICC = icc_profile("Color LCD", (0.4850, 0.2500, 0.0000), (0.3300, 0.6800, 0.0500),
                          (0.1500, 0.0700, 0.7700))


def make_image(path: Path, size: tuple[int, int] = (1440, 810), mode: str = "RGB", icc: bytes | None = SRGB_ICC,
               orientation: int | None = None, srgb_chunk: bool = False, exif_srgb: bool = False,
               gamma_chunks: bool = False, fmt: str | None = None, exact_bytes: int | None = None) -> Path:
    """Write an image; ``fmt`` defaults to the extension's format (pass it to lie about the content)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = fmt or ("JPEG" if path.suffix.lower() in (".jpg", ".jpeg") else "PNG")
    image = Image.new(mode, size, _colour(mode))
    options: dict[str, object] = {"format": fmt}
    if icc is not None:
        options["icc_profile"] = icc
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if exif_srgb:
        exif.get_ifd(0x8769)[0xA001] = 1
    if len(exif) or exif_srgb:
        options["exif"] = exif
    if fmt == "PNG":
        info = PngInfo()
        if srgb_chunk:
            info.add(b"sRGB", b"\x00")
        if gamma_chunks:  # sRGB's gamma and primaries, as some exporters write them instead of a profile
            info.add(b"gAMA", struct.pack(">I", 45455))
            info.add(b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000))
        options["pnginfo"] = info
        if exact_bytes is not None:
            image.save(path, **options)  # type: ignore[arg-type]
            filler = exact_bytes - path.stat().st_size - 12 - len("Comment") - 1  # a tEXt chunk's overhead
            info.add_text("Comment", "x" * filler)
    image.save(path, **options)  # type: ignore[arg-type]
    if exact_bytes is not None:
        assert path.stat().st_size == exact_bytes
    return path


def _colour(mode: str) -> object:
    return {"RGB": (40, 90, 160), "RGBA": (40, 90, 160, 255), "L": 120, "LA": (120, 255), "CMYK": (10, 20, 30, 0),
            "P": 3, "1": 1, "I;16": 3000}.get(mode, 0)


def scene(size: tuple[int, int] = (1440, 810), seed: int = 1) -> Image.Image:
    """An RGB picture with content to lose: gradients, saturated blocks, thin lines and fine noise."""
    import random

    from PIL import ImageDraw

    width, height = size
    image = Image.merge("RGB", (Image.linear_gradient("L").resize(size), Image.linear_gradient("L").rotate(90).resize(size),
                                Image.new("L", size, 96)))
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 200, 0), (200, 40, 160), (20, 20, 20)]
    for index, colour in enumerate(colours):
        left = width * (index + 1) // 8
        draw.rectangle((left, height // 4, left + width // 12, height // 2), fill=colour)
    for step in range(0, width, max(1, width // 60)):
        draw.line((step, height * 3 // 4, step + 20, height - 1), fill=(250, 250, 250), width=1)
    for _ in range(width * height // 200):
        draw.point((rng.randrange(width), rng.randrange(height)), fill=tuple(rng.randrange(256) for _ in range(3)))
    return image


def mean_error(a: Image.Image, b: Image.Image) -> float:
    """The mean absolute difference per 8-bit channel of two RGB images of one size."""
    from PIL import ImageChops, ImageStat

    assert a.size == b.size
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3
