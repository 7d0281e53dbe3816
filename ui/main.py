"""`klasse [LINK]`: the desktop client.

Qt runs the asyncio loop through qasync (PySide6.QtAsyncio cannot run aiortc), so
the call engine's coroutines and the widgets share one thread and one loop.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from klasse.app.call_api import CallControl, EventSink, VideoSink
from klasse.app.devices import DeviceLists, list_cameras, list_microphones, list_speakers
from klasse.app.policy import Policy, PolicyError, load_machine_policy
from klasse.app.protocol import ProtocolError, parse_link

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="klasse", description="Klasse video lessons")
    parser.add_argument("link", nargs="?", help="a klasse:// lesson link to open")
    parser.add_argument("--name", default="", help="prefill your name")
    parser.add_argument("--language", choices=("en", "de", "nl"), default=None,
                        help="override the system language for this run")
    return parser


def engine_factory(request, sink: EventSink, video: VideoSink) -> CallControl:
    """The real call engine (app/call_session.py), imported only when a call starts."""
    from klasse.ui.engine import make_session

    return make_session(request, sink, video)


def run_app(argv: Sequence[str] = (), policy: Policy | None = None, factory=None,
            on_window=None) -> int:
    """Open the window and run until it closes. `policy`/`factory` are for the demo;
    the installed client always reads the machine policy from its fixed path."""
    args = list(argv)
    if args and args[0] == "join":       # `klasse join LINK` without --headless
        args = args[1:]
    opts = build_parser().parse_args(args)

    import qasync
    from PySide6.QtWidgets import QApplication

    from klasse.ui.controller import CallController
    from klasse.ui.i18n import set_language, system_language
    from klasse.ui.main_window import MainWindow
    from klasse.ui.prefs import Preferences

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Klasse")
    app.setOrganizationName("Klasse")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    problem = ""
    if policy is None:
        try:
            policy = load_machine_policy()
        except PolicyError as exc:
            policy, problem = Policy(), str(exc)
    prefs = Preferences(policy)
    set_language(opts.language or prefs.language or system_language())
    controller = CallController(factory or engine_factory)
    window = MainWindow(controller, policy, prefs, list_cameras(), list_microphones(),
                        speakers=list_speakers(), device_lists=DeviceLists.now)
    if problem:
        window.messages.show_message(problem)
    window.prejoin.name.setText(opts.name)
    if opts.link:
        try:
            window.open_link(parse_link(opts.link))
        except ProtocolError as exc:
            window.start.link.setText(opts.link)
            window.start.error.setText(exc.message)
    window.show()
    if on_window is not None:
        on_window(window)

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    app.lastWindowClosed.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(controller.shutdown())
        # aiortc/aioice may still hold timers: finish them before the loop closes
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    return run_app(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
