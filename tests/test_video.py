"""tilekit video on MP4s made by the real ffmpeg; ffprobe found, bounded and missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli, write
from toolkit.checks.video import display_size


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    """The ffmpeg binary; without it the video tests skip locally and fail under CI=true."""
    found, probe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if found and probe:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("ffmpeg/ffprobe are missing under CI=true; .ci/run installs Debian's ffmpeg package")
    pytest.skip("ffmpeg and ffprobe are not installed (apt-get install ffmpeg / brew install ffmpeg)")


def _make(ffmpeg: str, out: Path, *args: str) -> Path:
    subprocess.run([ffmpeg, "-v", "error", "-y", *args, str(out)], check=True, timeout=120)
    return out


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def _src(size: str, seconds: str = "1", rate: int = 5, kind: str = "testsrc") -> list[str]:
    return ["-f", "lavfi", "-i", f"{kind}=size={size}:rate={rate}" if kind == "testsrc"
            else f"color=c=black:s={size}:r={rate}", "-t", seconds]


@pytest.fixture(scope="session")
def videos(ffmpeg: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    ok = _make(ffmpeg, folder / "Acme-Cloud.mp4", *_src("1920x1080", "2"), *H264)
    _make(ffmpeg, folder / "Acme-Mpeg4.mp4", *_src("1920x1080"), "-c:v", "mpeg4")
    _make(ffmpeg, folder / "Acme-Quicktime.mp4", *_src("1920x1080"), *H264, "-f", "mov")
    _make(ffmpeg, folder / "Acme-Small.mp4", *_src("1280x720"), *H264)
    _make(ffmpeg, folder / "Acme-Square.mp4", *_src("1440x1080"), *H264)
    _make(ffmpeg, folder / "Acme-Long.mp4", *_src("1920x1080", "61", rate=1, kind="color"), *H264)
    _make(ffmpeg, folder / "Acme-Anamorphic.mp4", *_src("1440x1080"), "-vf", "setsar=4/3", *H264)
    tall = _make(ffmpeg, folder / "tall.mp4", *_src("1080x1920"), *H264)
    _make(ffmpeg, folder / "Acme-Upright.mp4", "-i", str(tall), "-c", "copy", "-metadata:s:v:0", "rotate=90")
    _make(ffmpeg, folder / "Acme-Sideways.mp4", "-i", str(ok), "-c", "copy", "-metadata:s:v:0", "rotate=90")
    _make(ffmpeg, folder / "Acme-Audio.mp4", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac")
    data = ok.read_bytes()
    write(folder / "Acme-Truncated.mp4", data[: len(data) // 2])
    write(folder / "Acme-Empty.mp4", b"")
    shutil.copy(ok, folder / "Acme-Cloud.mov")
    shutil.copy(ok, folder / "acme cloud.mp4")
    return folder


def rules_for(folder: Path, name: str, *options: str) -> list[str]:
    result = run_cli("video", str(folder / name), "--format", "json", *options)
    assert result.exit_code in (0, 1), result.output
    return sorted(f["rule"] for f in json.loads(result.output)["findings"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Acme-Cloud.mp4", []),
        ("Acme-Mpeg4.mp4", ["video/codec"]),
        ("Acme-Quicktime.mp4", ["video/container"]),
        ("Acme-Small.mp4", ["video/resolution"]),
        ("Acme-Square.mp4", ["video/aspect-ratio", "video/resolution"]),
        ("Acme-Long.mp4", ["video/duration"]),
        ("Acme-Anamorphic.mp4", []),
        ("Acme-Upright.mp4", []),
        ("Acme-Sideways.mp4", ["video/aspect-ratio", "video/resolution"]),
        ("Acme-Audio.mp4", ["video/unreadable"]),
        ("Acme-Truncated.mp4", ["video/unreadable"]),
        ("Acme-Empty.mp4", ["video/unreadable"]),
        ("Acme-Cloud.mov", ["video/container", "video/file-name"]),
        ("acme cloud.mp4", ["video/file-name"]),
    ],
)
def test_video_rules(videos: Path, name: str, expected: list[str]) -> None:
    assert rules_for(videos, name) == expected


def test_truncated_file_message_quotes_ffprobe(videos: Path) -> None:
    result = run_cli("video", str(videos / "Acme-Truncated.mp4"))
    assert result.exit_code == 1
    assert "video/unreadable ffprobe cannot read the video:" in result.output
    assert "moov atom not found" in result.output or "Invalid data" in result.output


def test_partner_and_app_fix_the_name(videos: Path) -> None:
    assert rules_for(videos, "Acme-Cloud.mp4", "--partner", "Acme", "--app", "Cloud") == []
    assert rules_for(videos, "Acme-Cloud.mp4", "--partner", "Acme", "--app", "Monitor") == ["video/file-name"]
    result = run_cli("video", str(videos / "Acme-Cloud.mp4"), "--partner", "Acme")
    assert result.exit_code == 2 and "--partner and --app go together" in result.output


def test_caption_length(videos: Path) -> None:
    assert rules_for(videos, "Acme-Cloud.mp4", "--caption", "x" * 300) == []
    assert rules_for(videos, "Acme-Cloud.mp4", "--caption", "x" * 301) == ["video/caption"]


def test_file_size_limit_is_data(videos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / ".tilekit.toml", '[rules."video/file-size".params]\nmax_bytes = 1000\n')
    monkeypatch.chdir(tmp_path)
    assert rules_for(videos, "Acme-Cloud.mp4") == ["video/file-size"]


def test_text_output_and_exit_code(videos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(videos / "Acme-Small.mp4", tmp_path / "Acme-Small.mp4")
    monkeypatch.chdir(tmp_path)
    result = run_cli("video", "Acme-Small.mp4")
    assert result.exit_code == 1
    assert result.output == (
        "Acme-Small.mp4: error video/resolution the picture displays at 1280x720; it must be at least 1920x1080: "
        "export it at 1920x1080 or larger\n\n1 video checked: 1 error, 0 warnings\n"
    )


def _fake_ffprobe(tmp_path: Path, body: str) -> Path:
    script = write(tmp_path / "fake-ffprobe", f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def _gone(pid: int) -> bool:
    for _ in range(50):  # the kill is sent before the command returns; the kernel reaps it shortly
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_hanging_ffprobe_is_cut_off_with_its_process(videos: Path, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    fake = _fake_ffprobe(tmp_path, f"echo $$ > {pid_file}\nexec sleep 60")
    start = time.monotonic()
    result = run_cli("video", str(videos / "Acme-Cloud.mp4"), "--ffprobe", str(fake), "--timeout", "1",
                     "--format", "json")
    assert time.monotonic() - start < 20
    [finding] = json.loads(result.output)["findings"]
    assert finding["rule"] == "video/unreadable" and "did not finish within 1 s" in finding["message"]
    assert _gone(int(pid_file.read_text())), "the hanging ffprobe is still running"


def test_ctrl_c_during_the_probe_ends_ffprobe_too(videos: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    pid_file = tmp_path / "pid"
    fake = _fake_ffprobe(tmp_path, f"echo $$ > {pid_file}\nexec sleep 60")
    child = subprocess.Popen([sys.executable, "-m", "toolkit", "video", str(videos / "Acme-Cloud.mp4"), "--ffprobe",
                              str(fake)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(100):  # until the fake ffprobe runs
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.1)
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=30)
    assert (child.returncode, err.strip()) == (130, b"Aborted!")
    assert _gone(int(pid_file.read_text())), "ffprobe outlived the interrupted tilekit"


def test_a_fifo_is_not_probed(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "Acme-Cloud.mp4")
    result = run_cli("video", str(tmp_path / "Acme-Cloud.mp4"))
    assert result.exit_code == 2 and "is a named pipe (FIFO), not a video file" in result.output


def test_ffprobe_comes_from_option_then_environment(videos: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    canned = {"streams": [{"codec_type": "video", "codec_name": "h264", "width": 1280, "height": 720}],
              "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "5.0", "tags": {"major_brand": "isom"}}}
    fake = _fake_ffprobe(tmp_path, f"echo '{json.dumps(canned)}'")
    monkeypatch.setenv("TILEKIT_FFPROBE", str(fake))
    assert rules_for(videos, "Acme-Cloud.mp4") == ["video/resolution"]  # the fake's 1280x720
    assert rules_for(videos, "Acme-Cloud.mp4", "--ffprobe", shutil.which("ffprobe") or "") == []


@pytest.mark.parametrize("how", ["option", "environment", "path"])
def test_missing_ffprobe_is_exit_2_with_install_help(videos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     how: str) -> None:
    not_executable = write(tmp_path / "ffprobe", "plain file")
    args = ["video", str(videos / "Acme-Cloud.mp4")]
    monkeypatch.delenv("TILEKIT_FFPROBE", raising=False)
    if how == "option":
        args += ["--ffprobe", str(tmp_path / "nowhere" / "ffprobe")]
    elif how == "environment":
        monkeypatch.setenv("TILEKIT_FFPROBE", str(not_executable))
    else:
        monkeypatch.setenv("PATH", str(tmp_path))
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert "apt-get install ffmpeg" in result.output and "brew install ffmpeg" in result.output


def test_missing_or_folder_video_is_exit_2(tmp_path: Path) -> None:
    assert run_cli("video", str(tmp_path / "nope.mp4")).exit_code == 2
    assert run_cli("video", str(tmp_path)).exit_code == 2


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        ({"width": 1920, "height": 1080}, (1920, 1080)),
        ({"width": 1440, "height": 1080, "sample_aspect_ratio": "4:3"}, (1920, 1080)),
        ({"width": 1920, "height": 1080, "sample_aspect_ratio": "0:1"}, (1920, 1080)),
        ({"width": 1080, "height": 1920, "side_data_list": [{"rotation": -90}]}, (1920, 1080)),
        ({"width": 1080, "height": 1920, "tags": {"rotate": "270"}}, (1920, 1080)),
        ({"width": 1920, "height": 1080, "side_data_list": [{"rotation": 180}]}, (1920, 1080)),
        ({"height": 1080}, None),
    ],
)
def test_display_size_on_probe_dicts(stream: dict[str, object], expected: tuple[int, int] | None) -> None:
    assert display_size(stream) == expected


def test_a_broken_ffprobe_is_blamed_not_the_video(videos: Path, tmp_path: Path) -> None:
    fake = _fake_ffprobe(tmp_path, "exit 139")  # dies without a word, as a crashing binary does
    result = run_cli("video", str(videos / "Acme-Cloud.mp4"), "--ffprobe", str(fake))
    assert result.exit_code == 2
    assert "failed without reading the video (no message); the video is not to blame" in result.output
    assert "video/unreadable" not in result.output
