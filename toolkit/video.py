"""A local video file, probed once by ffprobe through ffmpeg-python, within a time limit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.tile import display_path

INSTALL = (
    "install FFmpeg, which provides ffprobe (Debian/Ubuntu: `apt-get install ffmpeg`; macOS: "
    "`brew install ffmpeg`), or give its path with --ffprobe or TILEKIT_FFPROBE"
)


@dataclass(frozen=True)
class Probe:
    """ffprobe's answer: ``data`` (format and streams) or ``error`` (what ffprobe said)."""

    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def format(self) -> dict[str, Any]:
        return self.data.get("format") or {}

    @cached_property
    def video_stream(self) -> dict[str, Any] | None:
        """The first real video stream (cover art is a 'video' stream too, marked attached_pic)."""
        for stream in self.data.get("streams") or []:
            if stream.get("codec_type") == "video" and not (stream.get("disposition") or {}).get("attached_pic"):
                return stream  # type: ignore[no-any-return]
        return None


def find_ffprobe(option: str | None) -> str:
    """ffprobe from --ffprobe, then TILEKIT_FFPROBE, then PATH; exit 2 with install help when absent."""
    for source, value in (("--ffprobe", option), ("TILEKIT_FFPROBE", os.environ.get("TILEKIT_FFPROBE"))):
        if value:
            found = shutil.which(value)
            if found is None:
                raise ToolkitError(f"{source} {value}: no executable ffprobe there; {INSTALL}")
            return found
    found = shutil.which("ffprobe")
    if found is None:
        raise ToolkitError(f"ffprobe was not found on PATH; video checks need it: {INSTALL}")
    return found


def run_probe(path: Path, ffprobe: str, timeout: float) -> Probe:
    """``ffmpeg.probe`` in a child process of its own session, so a hang ends with its ffprobe."""
    command = [sys.executable, "-m", "toolkit._probe", ffprobe, str(path)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_session(child)
        child.communicate()
        return Probe(error=f"ffprobe did not finish within {timeout:g} s; the file may be damaged")
    except KeyboardInterrupt:  # the child has a session of its own, so Ctrl-C does not reach it
        _end_session(child)
        child.communicate()
        raise
    try:
        answer = json.loads(out)
    except ValueError:
        raise ToolkitError(f"the ffprobe helper failed: {err.decode('utf-8', 'replace').strip()}") from None
    if "tool_error" in answer:
        raise ToolkitError(f"{answer['tool_error']}; {INSTALL}")
    if "error" in answer:
        return Probe(error=answer["error"])
    return Probe(data=answer["probe"])


def _end_session(child: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (AttributeError, ProcessLookupError, PermissionError):  # no process groups (Windows), or gone
        child.kill()


class Video:
    """The subject of ``tilekit video``: one file, what the partner says about it, and its probe."""

    def __init__(self, path: Path, cwd: Path, ffprobe: str, timeout: float, caption: str | None = None,
                 partner: str | None = None, app: str | None = None) -> None:
        self.file = path
        self.display = display_path(path, cwd)
        self.name = path.name
        self.caption = caption
        self.partner = partner
        self.app = app
        self._ffprobe = ffprobe
        self._timeout = timeout

    def path(self, name: str) -> str:
        return self.display

    @cached_property
    def size(self) -> int:
        return self.file.stat().st_size

    @cached_property
    def probe(self) -> Probe:
        if self.size == 0:
            return Probe(error="the file is empty (0 bytes)")
        return run_probe(self.file, self._ffprobe, self._timeout)
