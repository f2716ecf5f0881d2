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


# tilekit video FILE --fix OUT ----------------------------------------------------------------------------------


def _probe(path: Path) -> dict[str, object]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
                         capture_output=True, check=True, timeout=60)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def _video_stream(path: Path) -> dict[str, object]:
    streams = _probe(path)["streams"]
    assert isinstance(streams, list)
    return next(s for s in streams if s["codec_type"] == "video")


def test_fix_turns_a_hevc_mov_into_a_passing_mp4(ffmpeg: str, tmp_path: Path) -> None:
    source = _make(ffmpeg, tmp_path / "tour.mov", *_src("2560x1440"), "-f", "lavfi", "-i", "sine=duration=1",
                   "-c:v", "libx265", "-preset", "ultrafast", "-c:a", "aac", "-shortest")
    assert _video_stream(source)["codec_name"] == "hevc"
    out = tmp_path / "Acme-Cloud.mp4"
    result = run_cli("video", str(source), "--fix", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "1 video checked: no problems found" in result.output
    stream = _video_stream(out)
    assert (stream["codec_name"], stream["pix_fmt"], stream["width"], stream["height"]) == ("h264", "yuv420p", 2560, 1440)
    assert any(s["codec_name"] == "aac" for s in _probe(out)["streams"])  # type: ignore[union-attr]
    assert rules_for(tmp_path, "Acme-Cloud.mp4") == []
    assert source.exists()


@pytest.mark.parametrize(("rotate", "unsafe"), [("180", False), ("90", True)])
def test_fix_applies_rotation_and_scales_up(ffmpeg: str, tmp_path: Path, rotate: str, unsafe: bool) -> None:
    small = _make(ffmpeg, tmp_path / "small.mp4", *_src("1280x720"), *H264)
    turned = _make(ffmpeg, tmp_path / "turned.mp4", "-i", str(small), "-c", "copy", "-metadata:s:v:0",
                   f"rotate={rotate}")
    out = tmp_path / "Acme-Turned.mp4"
    if unsafe:  # shown upright (720x1280), it can only reach 16:9 padded
        refused = run_cli("video", str(turned), "--fix", str(out))
        assert refused.exit_code == 2 and "not 16:9" in refused.output and "--unsafe" in refused.output
        assert not out.exists()
    result = run_cli("video", str(turned), "--fix", str(out), *(["--unsafe"] if unsafe else []))
    assert result.exit_code == 0, result.output
    stream = _video_stream(out)
    # Padded, the upright picture keeps its 1280 px height: 2304x1296 is the smallest 16:9 size around it.
    assert display_size(stream) == ((2304, 1296) if unsafe else (1920, 1080))
    side_data = stream.get("side_data_list") or []
    assert isinstance(side_data, list) and not [s for s in side_data if s.get("rotation")]
    assert ("padded 720x1280 to 16:9" in result.output) is unsafe


def test_fix_trims_a_long_video_only_with_unsafe(videos: Path, tmp_path: Path) -> None:
    out = tmp_path / "Acme-Short.mp4"
    refused = run_cli("video", str(videos / "Acme-Long.mp4"), "--fix", str(out))
    assert refused.exit_code == 2 and "lasts 61.0 s" in refused.output and not out.exists()
    result = run_cli("video", str(videos / "Acme-Long.mp4"), "--fix", str(out), "--unsafe")
    assert result.exit_code == 0, result.output
    assert "trimmed by 1.0 s to 60 s" in result.output
    assert float(_probe(out)["format"]["duration"]) <= 60.05  # type: ignore[index]


def test_fix_names_the_copy_and_never_replaces_a_file(videos: Path, tmp_path: Path) -> None:
    result = run_cli("video", str(videos / "Acme-Small.mp4"), "--fix", str(tmp_path), "--partner", "Acme", "--app",
                     "Cloud")
    assert result.exit_code == 0, result.output
    made = tmp_path / "Acme-Cloud.mp4"
    before = made.read_bytes()
    again = run_cli("video", str(videos / "Acme-Small.mp4"), "--fix", str(made))
    assert again.exit_code == 2 and "already exists" in again.output and made.read_bytes() == before
    badly_named = run_cli("video", str(videos / "Acme-Small.mp4"), "--fix", str(tmp_path / "my video.mp4"))
    assert badly_named.exit_code == 2 and "video/file-name" in badly_named.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Acme-Cloud.mp4"]  # no copy, no temporary left


def test_ctrl_c_during_the_conversion_leaves_no_output_and_no_ffmpeg(ffmpeg: str, tmp_path: Path) -> None:
    import signal
    import sys

    source = _make(ffmpeg, tmp_path / "big.mp4", *_src("1920x1080", "20", rate=25), "-c:v", "mpeg4", "-q:v", "2")
    pid_file = tmp_path / "pid"
    wrapper = write(tmp_path / "ffmpeg-wrapper", f"#!/bin/sh\necho $$ > {pid_file}\nexec {ffmpeg} \"$@\"\n")
    wrapper.chmod(0o755)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    child = subprocess.Popen([sys.executable, "-m", "toolkit", "video", str(source), "--fix",
                              str(out_dir / "Acme-Big.mp4")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "TILEKIT_FFMPEG": str(wrapper)})
    for _ in range(200):  # until ffmpeg runs and has written some of the copy
        temporary = list(out_dir.iterdir())
        if pid_file.exists() and pid_file.read_text().strip() and temporary and temporary[0].stat().st_size:
            break
        time.sleep(0.05)
    else:
        pytest.fail("ffmpeg never started writing")
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=60)
    assert (child.returncode, err.strip().splitlines()[-1]) == (130, b"Aborted!")
    assert _gone(int(pid_file.read_text())), "ffmpeg outlived the interrupted tilekit"
    assert list(out_dir.iterdir()) == []  # neither OUT nor a part of it
