"""Video checks for ``tilekit video``: Datadog's carousel video rules, decided on ffprobe's answer."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from toolkit.checks._schema import NAMES, NO_PARAMS, POSITIVE, RATIO, REGEX, STRING, Check, params
from toolkit.findings import Problem

if TYPE_CHECKING:
    from fractions import Fraction

    from toolkit.video import Video

_AMOUNT = {"type": "number", "exclusiveMinimum": 0}
CONTAINER_PARAMS = params(format_name=STRING, rejected_brands=NAMES, extension=STRING)
CODEC_PARAMS = params(codecs=NAMES)
SIZE_PARAMS = params(max_bytes=_AMOUNT)
DURATION_PARAMS = params(max_seconds=_AMOUNT)
RATIO_PARAMS = params(ratio=RATIO)
RESOLUTION_PARAMS = params(min_width=POSITIVE, min_height=POSITIVE)
NAME_PARAMS = params(pattern=REGEX)
CAPTION_PARAMS = params(max_length=POSITIVE)
REENCODE = "re-encode it, e.g. `ffmpeg -i IN -c:v libx264 -pix_fmt yuv420p -c:a aac OUT.mp4`"


def _stream(video: Video) -> dict[str, Any] | None:
    """The video stream, or None when the probe failed or found none (video/unreadable says so)."""
    probe = video.probe
    return None if probe.error else probe.video_stream


def unreadable(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    """ffprobe reads the file, and it has a video stream."""
    probe = video.probe
    if probe.error:
        yield Problem(video.name, f"ffprobe cannot read the video: {_last_line(probe.error)}; {REENCODE}")
    elif probe.video_stream is None:
        kinds = ", ".join(sorted({s.get("codec_type", "?") for s in probe.data.get("streams") or []})) or "none"
        yield Problem(video.name, f"the file has no video stream (streams found: {kinds}); export the video again")


def container(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    """An MP4 file: ffprobe's format is mp4, its brand is not QuickTime's, and it is named .mp4."""
    reasons = []
    if not video.name.endswith(params["extension"]):
        reasons.append(f"the file name does not end in '{params['extension']}'")
    if _stream(video) is not None:
        fmt = video.probe.format
        names = str(fmt.get("format_name", "")).split(",")
        brand = str((fmt.get("tags") or {}).get("major_brand", ""))
        if params["format_name"] not in names:
            reasons.append(f"ffprobe reads it as '{fmt.get('format_name')}', not MP4")
        elif brand in params["rejected_brands"]:
            reasons.append(f"its major brand is '{brand}': a QuickTime .mov, not an MP4")
    if reasons:
        yield Problem(video.name, f"the video must be an MP4 file: {'; '.join(reasons)}; "
                      f"{REENCODE.replace('re-encode it', 'convert it')}")


def codec(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    stream = _stream(video)
    if stream is not None and stream.get("codec_name") not in params["codecs"]:
        yield Problem(video.name, f"the video codec is {stream.get('codec_name')} "
                      f"({stream.get('codec_long_name', 'unknown')}); it must be H.264: {REENCODE}")


def file_size(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    limit = params["max_bytes"]
    if video.size > limit:
        yield Problem(video.name, f"the file is {video.size:,} bytes; at most {limit:,.0f} are allowed: lower the "
                      "bit rate or shorten it")


def duration(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    """At most 60 s: the container's duration, or the video stream's when the container has none."""
    stream = _stream(video)
    if stream is None:
        return
    seconds = _float(video.probe.format.get("duration")) or _float(stream.get("duration"))
    limit = params["max_seconds"]
    if seconds is not None and seconds > limit:
        yield Problem(video.name, f"the video lasts {seconds:.1f} s; at most {limit:g} s is allowed: cut "
                      f"{seconds - limit:.1f} s")


def aspect_ratio(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The displayed picture is exactly 16:9 (rotation and sample aspect ratio applied)."""
    stream = _stream(video)
    if stream is None:
        return
    rw, rh = params["ratio"]
    shown = display_size(stream)
    if shown is None:
        return
    width, height = shown
    if width * rh != height * rw:
        ratio = float(width / height) if height else 0.0
        yield Problem(video.name, f"the picture displays at {_dims(width, height)} ({ratio:.3f}:1){_how(stream)}; it "
                      f"must be exactly {rw}:{rh} ({rw / rh:.3f}:1), e.g. 1920x1080: crop or pad it")


def resolution(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    stream = _stream(video)
    shown = display_size(stream) if stream is not None else None
    if stream is None or shown is None:
        return
    width, height = shown
    low_w, low_h = params["min_width"], params["min_height"]
    if width < low_w or height < low_h:
        yield Problem(video.name, f"the picture displays at {_dims(width, height)}{_how(stream)}; it must be at "
                      f"least {low_w}x{low_h}: export it at 1920x1080 or larger")


def file_name(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    """``partnerName-appName.mp4``; exactly the given names when --partner and --app are set."""
    if video.partner and video.app:
        wanted = f"{video.partner}-{video.app}.mp4"
        if video.name != wanted:
            yield Problem(video.name, f"the file is named {video.name!r}; with --partner and --app it must be "
                          f"{wanted!r}: rename it")
    elif not re.fullmatch(params["pattern"], video.name):
        yield Problem(video.name, f"the file name {video.name!r} is not 'partnerName-appName.mp4' (letters and "
                      "digits, one dash, .mp4): rename it, e.g. 'Acme-CloudMonitor.mp4'")


def caption(video: Video, params: Mapping[str, Any]) -> Iterator[Problem]:
    limit = params["max_length"]
    if video.caption is not None and len(video.caption) > limit:
        yield Problem(video.name, f"the caption is {len(video.caption)} characters long; at most {limit} are "
                      f"allowed: shorten it by {len(video.caption) - limit}")


def display_size(stream: Mapping[str, Any]) -> tuple[Fraction, Fraction] | None:
    """Width and height as shown: sample aspect ratio applied, swapped for a quarter-turn rotation."""
    from fractions import Fraction

    try:
        width, height = Fraction(int(stream["width"])), Fraction(int(stream["height"]))
    except (KeyError, TypeError, ValueError):
        return None
    sar = _ratio(stream.get("sample_aspect_ratio"))
    if sar:
        width *= sar
    if _rotation(stream) % 180 == 90:
        width, height = height, width
    return width, height


def _rotation(stream: Mapping[str, Any]) -> int:
    """Degrees of display rotation: ffmpeg 5+ puts it in a display matrix, older files in tags.rotate."""
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(_float(side["rotation"]) or 0)
    return int(_float((stream.get("tags") or {}).get("rotate")) or 0)


def _ratio(text: Any) -> Fraction | None:
    from fractions import Fraction

    try:
        num, den = (int(part) for part in str(text).split(":"))
    except ValueError:
        return None
    return Fraction(num, den) if num > 0 and den > 0 else None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _dims(width: Fraction, height: Fraction) -> str:
    return f"{round(width)}x{round(height)}"


def _how(stream: Mapping[str, Any]) -> str:
    notes = []
    if _rotation(stream) % 180 == 90:
        notes.append(f"rotated {_rotation(stream)}°")
    sar = _ratio(stream.get("sample_aspect_ratio"))
    if sar and sar != 1:
        notes.append(f"sample aspect ratio {stream.get('sample_aspect_ratio')}")
    if notes:
        return f" ({', '.join(notes)}; coded {stream.get('width')}x{stream.get('height')})"
    return ""


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text


CHECKS = {
    "video.unreadable": Check(unreadable, NO_PARAMS),
    "video.container": Check(container, CONTAINER_PARAMS),
    "video.codec": Check(codec, CODEC_PARAMS),
    "video.file_size": Check(file_size, SIZE_PARAMS),
    "video.duration": Check(duration, DURATION_PARAMS),
    "video.aspect_ratio": Check(aspect_ratio, RATIO_PARAMS),
    "video.resolution": Check(resolution, RESOLUTION_PARAMS),
    "video.file_name": Check(file_name, NAME_PARAMS),
    "video.caption": Check(caption, CAPTION_PARAMS),
}
