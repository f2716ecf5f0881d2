"""`tilekit video FILE --fix OUT.mp4`: a conforming copy of a carousel video, made by ffmpeg.

The command line is built with ffmpeg-python; the process runs in a session of its own, bounded in time, its
``-progress`` output read for the bar, and killed with its whole group on Ctrl-C or at the bound. It writes a
temporary file beside OUT, which becomes OUT only once the same rules as `tilekit video` pass on it: OUT is
never left partial, and never replaces a file.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.checks.video import display_size
from toolkit.errors import ToolkitError
from toolkit.video import INSTALL, Video

MIN_SIZE = (1920, 1080)  # video/resolution's shipped minimum; its configured value is passed in
SLACK_SECONDS = 120  # the bound of an ffmpeg run: this plus ``SECONDS_PER_SECOND`` times the video's length
SECONDS_PER_SECOND = 20


@dataclass(frozen=True)
class Plan:
    """What the copy will be: its size, whether it is padded, how long, and what was changed to get there."""

    size: tuple[int, int]
    pad: bool
    seconds: float  # of the output
    trim: float  # seconds cut from the end (0: none)
    audio: bool
    notes: tuple[str, ...]


def find_ffmpeg(ffprobe: str) -> str:
    """ffmpeg from TILEKIT_FFMPEG, beside the ffprobe in use, or on PATH; exit 2 with install help when absent."""
    given = os.environ.get("TILEKIT_FFMPEG")
    if given:
        found = shutil.which(given)
        if found is None:
            raise ToolkitError(f"TILEKIT_FFMPEG {given}: no executable ffmpeg there; {INSTALL}")
        return found
    beside = Path(ffprobe).with_name("ffmpeg")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("ffmpeg")
    if found is None:
        raise ToolkitError(f"ffmpeg was not found on PATH; `tilekit video --fix` needs it: {INSTALL}")
    return found


def plan(video: Video, unsafe: bool, max_seconds: float, ratio: tuple[int, int],
         minimum: tuple[int, int] = MIN_SIZE) -> Plan:
    """The conforming copy of ``video``, or exit 2 saying what only --unsafe would do."""
    probe = video.probe
    stream = probe.video_stream
    if probe.error or stream is None:
        raise ToolkitError(f"{video.display}: cannot be converted: {probe.error or 'it has no video stream'}")
    shown = display_size(stream)
    if shown is None:
        raise ToolkitError(f"{video.display}: ffprobe gives no picture size; it cannot be converted")
    width, height = shown
    rw, rh = ratio
    notes = []
    exact = width * rh == height * rw
    if not exact and not unsafe:
        raise ToolkitError(f"{video.display} displays at {float(width):g}x{float(height):g}, not {rw}:{rh}; "
                           f"`--fix OUT --unsafe` pads it to {rw}:{rh}, or export it at {rw}:{rh} (e.g. 1920x1080)")
    box = (width, height) if exact else ((width, width * rh / rw) if width * rh > height * rw
                                         else (height * rw / rh, height))
    step = base = rw // math.gcd(rw, rh)
    while step % 2 or step * rh // rw % 2:  # widths whose height at the ratio is a whole, even number of pixels
        step += base
    target_w = max(minimum[0], math.ceil(float(box[0])))
    target_w = -(-target_w // step) * step
    target_h = target_w * rh // rw
    if target_h < minimum[1]:
        target_h = -(-minimum[1] // 2) * 2
        target_w = target_h * rw // rh
    if not exact:
        notes.append(f"padded {float(width):g}x{float(height):g} to {rw}:{rh}")
    if (target_w, target_h) != (width, height):
        notes.append(f"scaled to {target_w}x{target_h}")
    seconds = float(probe.format.get("duration") or stream.get("duration") or 0)
    trim = 0.0
    if seconds > max_seconds:
        if not unsafe:
            raise ToolkitError(f"{video.display} lasts {seconds:.1f} s, over {max_seconds:g} s; `--fix OUT --unsafe` "
                               f"keeps its first {max_seconds:g} s, or edit it down")
        trim = seconds - max_seconds
        seconds = max_seconds
        notes.append(f"trimmed by {trim:.1f} s to {max_seconds:g} s")
    audio = any(s.get("codec_type") == "audio" for s in probe.data.get("streams") or [])
    return Plan((target_w, target_h), not exact, seconds, trim, audio, tuple(notes))


def command(ffmpeg: str, source: Path, out: Path, plan: Plan) -> list[str]:
    """The ffmpeg command line: H.264 (libx264, yuv420p), AAC audio, +faststart; rotation applied (ffmpeg applies the
    display matrix while decoding), square pixels."""
    import ffmpeg as ff

    w, h = plan.size
    stream = ff.input(str(source))
    if plan.pad:  # letterbox: fit inside, then black bars to the ratio
        picture = stream.video.filter("scale", w, h, force_original_aspect_ratio="decrease")
        picture = picture.filter("pad", w, h, "(ow-iw)/2", "(oh-ih)/2", color="black")
    else:
        picture = stream.video.filter("scale", w, h)
    picture = picture.filter("setsar", 1)
    options: dict[str, Any] = {"vcodec": "libx264", "pix_fmt": "yuv420p", "preset": "medium", "crf": 20,
                               "movflags": "+faststart", "f": "mp4"}
    if plan.trim:
        options["t"] = f"{plan.seconds:.3f}"
    streams = [picture]
    if plan.audio:
        streams.append(stream.audio)
        options.update(acodec="aac", audio_bitrate="192k")
    node = ff.output(*streams, str(out), **options).global_args("-nostdin", "-v", "error", "-progress", "pipe:1",
                                                                  "-nostats")
    return list(node.compile(cmd=ffmpeg, overwrite_output=True))


def run(args: list[str], seconds: float, on_progress: Callable[[float], None] | None) -> None:
    """Run ffmpeg in its own session, bounded; ``on_progress`` gets the seconds of output done. Exit 2 with ffmpeg's
    own words when it fails; Ctrl-C or the bound kill its whole process group."""
    bound = SLACK_SECONDS + SECONDS_PER_SECOND * seconds
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    started = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        try:
            assert child.stdout is not None and child.stderr is not None
            _drain(child.stderr, errors)
            for raw in child.stdout:
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                if key == "out_time_us" and value.isdigit() and on_progress:
                    on_progress(int(value) / 1_000_000)
                if time.monotonic() - started > bound:
                    raise subprocess.TimeoutExpired(args, bound)
            child.wait(timeout=max(1.0, bound - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            _kill(child)
            raise ToolkitError(f"ffmpeg did not finish within {bound:g} s; it was stopped") from None
        except BaseException:
            _kill(child)
            raise
        if child.returncode != 0:
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise ToolkitError(f"ffmpeg failed (exit {child.returncode}): {said[-1] if said else 'no message'}")


def _drain(pipe: Any, into: Any) -> None:
    """Copy ffmpeg's stderr in a thread, so a chatty ffmpeg never blocks on a full pipe."""
    import threading

    def copy() -> None:
        for chunk in iter(lambda: pipe.read(65536), b""):
            into.write(chunk)

    threading.Thread(target=copy, daemon=True).start()


def _kill(child: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        child.kill()
    child.wait()


def temporary_beside(out: Path) -> Path:
    """A new, empty file name in OUT's folder: the copy is made there, then given OUT's name."""
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.", suffix=".tilekit-tmp.mp4")
    os.close(fd)
    return Path(name)


def publish(temporary: Path, out: Path) -> None:
    """Give the finished copy OUT's name, atomically, failing rather than replacing a file made meanwhile."""
    os.chmod(temporary, 0o644)
    os.link(temporary, out)
    temporary.unlink()
