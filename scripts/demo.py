"""`make demo`: the product, inside the private network namespace (scripts/netns-run).

1. the room service (`klasse-server run`) with its own spawned Janus on 10.77.0.1,
2. a demo room with a teacher account,
3. a headless demo pupil (synthetic camera and microphone, turned on) that raises
   its hand now and then,
4. the desktop client as the teacher in that room.

With a display (DISPLAY or WAYLAND_DISPLAY) the window appears there and the demo
ends when it is closed. Without one, the client runs under a private Xvfb, lets
the pupil in, saves screenshots under build/demo/ and says where.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "demo"
SERVER = [sys.executable, "-m", "klasse.server.cli"]
TEACHER, PASSWORD = "demo.teacher", "demo password, not for real use"
HAND_EVERY_S, HAND_FOR_S = 20.0, 8.0


def say(text: str) -> None:
    print(f"demo: {text}", flush=True)


def start_server(work: Path, addr: str) -> tuple[subprocess.Popen[str], dict]:
    config = work / "server.toml"
    config.write_text(
        f'listen = "{addr}"\nport = 8765\ndata = "{work / "data"}"\nteacher_grace_s = 30\n'
        # A teacher may try recording; files go under the demo's temporary folder.
        'recording_allowed = true\n'
        '[notice]\nversion = "demo-1"\ncontroller = "Demo School, 1 Example Street"\n'
        'dpo_contact = "privacy@demo-school.example"\n')
    subprocess.run([*SERVER, "user", "add", TEACHER, "--role", "teacher", "--config",
                    str(config)], input=PASSWORD + "\n", text=True, check=True,
                   stdout=subprocess.DEVNULL)
    room = json.loads(subprocess.run(
        [*SERVER, "room", "create", "--teacher", TEACHER, "--title", "Demo lesson", "--json",
         "--config", str(config)], capture_output=True, text=True, check=True).stdout)
    proc = subprocess.Popen([*SERVER, "run", "--config", str(config)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("demo: the room service did not start")
        if "ready on" in line:
            say(f"room service {line.split('ready on')[1].strip()} (Janus spawned by it)")
            break
    threading.Thread(target=_drain, args=(proc.stdout, "server"), daemon=True).start()
    return proc, room


def _drain(stream, name: str) -> None:
    for line in stream:
        if os.environ.get("KLASSE_DEMO_VERBOSE"):
            print(f"[{name}] {line}", end="", flush=True)


class DemoPupil:
    """`klasse join --headless` with synthetic devices, turned on once admitted."""

    def __init__(self, link: str, pin: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "klasse.app.cli", "join", link, "--headless", "--name",
             "Demo Pupil", "--pin", pin, "--camera", "synthetic", "--mic", "synthetic"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.joined = threading.Event()
        self.stop = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._hands, daemon=True).start()

    def send(self, **cmd: object) -> None:
        with contextlib.suppress(BrokenPipeError, ValueError):
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            if event.get("event") == "state" and event["state"] == "joined" \
                    and not self.joined.is_set():
                self.joined.set()
                say("the demo pupil is in the lesson: camera and microphone on")
                self.send(cmd="camera", on=True)
                self.send(cmd="mic", on=True)
            elif event.get("event") == "left":
                self.stop.set()

    def _hands(self) -> None:
        self.joined.wait()
        while not self.stop.wait(HAND_EVERY_S):
            self.send(cmd="hand", up=True)
            if self.stop.wait(HAND_FOR_S):
                return
            self.send(cmd="hand", up=False)

    def close(self) -> None:
        self.stop.set()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)   # leaves the lesson properly
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_xvfb() -> subprocess.Popen[bytes]:
    for n in range(90, 110):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x800x24",
                                     "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{n}").exists():
                    break
                time.sleep(0.05)
            os.environ["DISPLAY"] = f":{n}"
            os.environ["QT_QPA_PLATFORM"] = "xcb"
            return xvfb
    raise SystemExit("demo: no free X display number for Xvfb")


async def autopilot(window, pin: str) -> None:
    """Without a display: what a teacher would click, with screenshots on the way."""
    shots: list[Path] = []

    async def until(check, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise TimeoutError(what)
            await asyncio.sleep(0.1)

    def shot(name: str) -> None:
        path = OUT / f"{name}.png"
        window.grab().save(str(path))
        shots.append(path)

    try:
        await until(lambda: window.notice_pending is not None
                    or window.stack.currentWidget() is window.lesson, "the teacher is welcomed")
        if window.notice_pending is not None:   # not yet accepted on this computer
            shot("1-privacy-notice")
            window.notice.accept_button.click()
        panel = window.lesson.teacher
        await until(lambda: panel.waiting_rows, "the demo pupil in the waiting room")
        await asyncio.sleep(0.5)
        shot("2-teacher-waiting-list")
        next(iter(panel.waiting_rows.values())).admit.click()
        window.lesson.camera.click()     # the teacher's own (synthetic) camera, processed
        tiles = window.lesson.gallery.tiles
        await until(lambda: any(t.image is not None for pid, t in tiles.items()
                                if pid != window.controller.participant),
                    "video from the demo pupil")
        await until(lambda: any(t.hand for t in tiles.values()), "a raised hand",
                    timeout=HAND_EVERY_S + 15)
        await asyncio.sleep(1.0)
        shot("3-teacher-lesson")
        panel.end_button.click()
        panel.confirm_yes.click()
        await until(lambda: window.stack.currentWidget() is window.left_page, "the lesson ends")
        shot("4-teacher-left")
    except TimeoutError as exc:
        say(f"stopped waiting for {exc}")
        shot("error")
    finally:
        for path in shots:
            say(f"screenshot saved: {path}")
        window.close()


def main() -> int:
    if os.environ.get("KLASSE_NETNS") != "1":
        say("needs the private network namespace: " +
            os.environ.get("KLASSE_NETNS_UNAVAILABLE", "run it with `make demo`"))
        return 1
    addr = os.environ["KLASSE_SERVER_ADDR"]
    work = Path(tempfile.mkdtemp(prefix="klasse-demo-"))
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    server = pupil = xvfb = None
    try:
        server, room = start_server(work, addr)
        pupil = DemoPupil(room["pupil_link"], room["pin"])
        say(f"demo pupil started; lesson PIN {room['pin']}")
        if headless:
            OUT.mkdir(parents=True, exist_ok=True)
            xvfb = start_xvfb()
            say(f"no display: the desktop client runs under Xvfb ({os.environ['DISPLAY']})")
        else:
            say("opening the desktop client as the teacher; close its window to end the demo")

        from PySide6.QtCore import QSettings

        from klasse.app.devices import SYNTHETIC
        from klasse.app.policy import Policy
        from klasse.ui.main import run_app

        # The demo's preferences live in its temporary folder: your own stay untouched,
        # and the privacy notice shows as it would on a first join.
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          str(work / "settings"))

        def ready(window) -> None:
            # Ctrl+C or SIGTERM close the window, so the teacher leaves properly.
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: window.close())
            window.prejoin.pin.setText(room["pin"])
            if headless:
                # Nobody listens under Xvfb and there may be no audio server: "No sound
                # (levels only)", instead of an error about the default output.
                combo = window.prejoin.speaker_device
                combo.setCurrentIndex(combo.findData(SYNTHETIC))
            window.prejoin.join.click()
            if headless:
                asyncio.ensure_future(autopilot(window, room["pin"]))

        # The demo's own machine policy; the installed client reads
        # /etc/klasse/policy.conf instead. It lets the teacher try recording, which
        # the demo's room service allows too.
        return run_app([room["teacher_link"], "--name", "Demo Teacher"],
                       policy=Policy(recording_allowed=True), on_window=ready)
    finally:
        if pupil is not None:
            pupil.close()
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
        say("stopped the demo pupil, the room service and its Janus")


if __name__ == "__main__":
    raise SystemExit(main())
