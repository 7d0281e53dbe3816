"""A real X11 window showing known text, for screen-share tests and the benchmark.

    QT_QPA_PLATFORM=xcb python scripts/text_window.py --text "words to show" [--size 48]
        [--geometry 1920x1080+0+0] [--scroll] [--lines N] [--file TEXT]

Prints the window id (hex) on stdout once the window is shown, then runs until
killed or until stdin closes. `--scroll` moves the text up by a few pixels every
frame (content that changes); stdin lines `move X Y` and `resize W H` move and
resize the window (to test that a share follows it), `text WORDS` replaces the text.
"""

from __future__ import annotations

import argparse
import sys
import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel


class Commands(QObject):
    line = Signal(str)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", default="")
    ap.add_argument("--file", default=None, help="show this text file instead of --text")
    ap.add_argument("--size", type=int, default=48, help="font size in pixels")
    ap.add_argument("--geometry", default="900x400+40+40")
    ap.add_argument("--scroll", action="store_true")
    ap.add_argument("--lines", type=int, default=1, help="repeat the text on this many lines")
    ap.add_argument("--title", default="Klasse test text")
    args = ap.parse_args()

    app = QApplication(sys.argv[:1])
    label = QLabel()
    label.setWindowTitle(args.title)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setStyleSheet("background: white; color: black; padding: 20px;")
    font = QFont("DejaVu Sans")
    font.setPixelSize(args.size)
    label.setFont(font)
    if args.file:
        with open(args.file, encoding="utf-8") as f:
            label.setText(f.read())
    else:
        label.setText("\n".join([args.text] * args.lines))
    size, _, pos = args.geometry.partition("+")
    w, h = (int(v) for v in size.split("x"))
    x, y = (int(v) for v in pos.split("+")) if pos else (0, 0)
    label.setGeometry(x, y, w, h)
    label.show()

    offset = [0]
    if args.scroll:
        def scroll() -> None:
            offset[0] = (offset[0] + 4) % max(1, args.size * 4)
            label.setContentsMargins(0, -offset[0], 0, 0)
        timer = QTimer()
        timer.timeout.connect(scroll)
        timer.start(33)

    commands = Commands()

    def on_line(line: str) -> None:
        word, _, rest = line.strip().partition(" ")
        if word == "quit" or word == "":
            app.quit()
        elif word == "move":
            a, b = (int(v) for v in rest.split())
            label.move(a, b)
        elif word == "resize":
            a, b = (int(v) for v in rest.split())
            label.resize(a, b)
        elif word == "text":
            label.setText("\n".join([rest] * args.lines))
        print(f"done {word}", flush=True)

    commands.line.connect(on_line)

    def read() -> None:
        for line in sys.stdin:
            commands.line.emit(line)
        commands.line.emit("quit")

    threading.Thread(target=read, daemon=True).start()

    def announce() -> None:
        print(f"window {int(label.winId()):#x}", flush=True)

    QTimer.singleShot(300, announce)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
