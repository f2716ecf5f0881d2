"""Child process of ``toolkit.video``: run ``ffmpeg.probe`` and print the outcome as JSON.

ffmpeg-python 0.2.0's ``probe`` has no timeout and does not expose its ffprobe process. Running
it here, in a process of its own session, lets the parent bound it and, on timeout, end this
process and its ffprobe together.
"""

from __future__ import annotations

import json
import sys

_BROKEN_TOOL = ("error while loading shared libraries", "Segmentation fault", "Illegal instruction", "core dumped")


def main(ffprobe: str, path: str) -> dict[str, object]:
    import ffmpeg

    try:
        return {"probe": ffmpeg.probe(path, cmd=ffprobe, v="error")}
    except ffmpeg.Error as exc:
        said = (exc.stderr or b"").decode("utf-8", "replace").strip()
        if not said or any(sign in said for sign in _BROKEN_TOOL):
            # ffprobe says something about every file it cannot read; silence, or a loader error, is its own fault
            return {"tool_error": f"{ffprobe} failed without reading the video ({said or 'no message'}); the "
                                  "video is not to blame"}
        return {"error": said}
    except OSError as exc:  # the binary could not be started at all
        return {"tool_error": f"cannot run {ffprobe}: {exc.strerror or exc}"}
    except ValueError as exc:  # ffprobe printed something that is not JSON
        return {"error": f"ffprobe gave unreadable output: {exc}"}


if __name__ == "__main__":
    json.dump(main(sys.argv[1], sys.argv[2]), sys.stdout)
