"""Qt-free `klasse` subcommands: the headless participant and the blur preview.

Each subcommand's work lives in its own module; this file only parses arguments.
The `klasse` console script enters through ui/launcher.py, which hands these
subcommands here without ever importing Qt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

BLUR_MODES = ("off", "blur", "replace", "full")


def _source(value: str) -> str:
    if value in ("off", "synthetic") or (value.startswith("file:") and len(value) > 5):
        return value
    raise argparse.ArgumentTypeError("use off, synthetic or file:PATH")


def _with_devices(schemes: tuple[str, ...], extra: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        scheme, _, rest = value.partition(":")
        if value in extra or (scheme in schemes and rest):
            return value
        try:
            return _source(value)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                "use " + ", ".join(("off", "synthetic", "file:PATH", *extra,
                                    *(f"{s}:NAME" for s in schemes)))) from None
    return check


_mic = _with_devices(("pulse", "device", "alsa"), ("default",))
_camera = _with_devices(("v4l2", "dshow", "avfoundation"), ("default",))


def _speaker(value: str) -> str:
    scheme, _, rest = value.partition(":")
    if value in ("null", "default") or (scheme in ("pulse", "device") and rest):
        return value
    raise argparse.ArgumentTypeError("use null, default, pulse:NAME or device:NAME")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="klasse", description="Klasse video lessons")
    sub = parser.add_subparsers(dest="command", required=True)

    join = sub.add_parser("join", help="join a lesson (headless: JSON lines on stdin/stdout)")
    join.add_argument("link", help="klasse:// link")
    join.add_argument("--headless", action="store_true", required=True,
                      help="no window; commands on stdin, events on stdout (docs/headless.md)")
    join.add_argument("--name", default="Participant")
    join.add_argument("--pin", default=None)
    join.add_argument("--camera", type=_camera, default="off",
                      help="camera source (off, synthetic, file:PATH, default, v4l2:/dev/videoN, "
                      "dshow:NAME, avfoundation:NAME); the camera stays off until a `camera` command")
    join.add_argument("--mic", type=_mic, default="off",
                      help="microphone (off, synthetic, file:PATH, default, pulse:NAME, "
                      "device:NAME); it stays off until a `mic` command")
    join.add_argument("--speaker", type=_speaker, default="null",
                      help="where received sound plays: null (nowhere; levels only), default, "
                      "pulse:NAME or device:NAME")
    join.add_argument("--noise-suppression", choices=("on", "off"), default="on")
    join.add_argument("--auto-gain", choices=("on", "off"), default="off",
                      help="automatic gain on the microphone (off by default: it raises the "
                      "echo the canceller leaves; docs/architecture.md)")
    join.add_argument("--screen", default="off",
                      help="what a `share` command without a source shares: screen, "
                      "screen:N, window:ID, synthetic or file:PATH; nothing is captured "
                      "before a `share` command")
    join.add_argument("--blur", choices=("on", "off"), default="on")
    join.add_argument("--notice", choices=("accept", "audio-only", "decline"), default="accept",
                      help="the answer to the server's privacy notice, given when the Welcome "
                      "names it; camera and mic commands wait for it (audio-only: no camera)")
    join.add_argument("--duration", type=float, default=None,
                      help="leave after this many seconds")

    preview = sub.add_parser("blur-preview",
                             help="run an image or video through the call's blur stage")
    preview.add_argument("input")
    preview.add_argument("output")
    preview.add_argument("--mode", choices=BLUR_MODES, default="blur")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "join":
        from klasse.app.headless import run as run_headless
        return run_headless(args)
    from klasse.media.blur_preview import run as run_preview
    return run_preview(args.input, args.output, args.mode)


if __name__ == "__main__":
    sys.exit(main())
