"""`klasse-server run` tells systemd it is ready and alive, and reports its health.

systemd is played by a datagram socket given as NOTIFY_SOCKET, with WATCHDOG_USEC
set, exactly as systemd starts a Type=notify unit with WatchdogSec.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from klasse.app import protocol as p
from tests.server_fixtures import join

SERVER_ADDR = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
CMD = [sys.executable, "-m", "klasse.server.cli"]


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class FakeSystemd:
    """NOTIFY_SOCKET: collects every datagram with its arrival time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.got: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                self.got.append((time.monotonic(), self.sock.recv(4096).decode()))
            except TimeoutError:
                continue

    def since(self, t: float, state: str) -> int:
        return sum(1 for when, s in list(self.got) if when >= t and s == state)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def _status(port: int) -> tuple[int, dict]:  # type: ignore[type-arg]
    out = subprocess.run([*CMD, "status", "--port", str(port), "--json"],
                         capture_output=True, text=True, timeout=20)
    return out.returncode, (json.loads(out.stdout) if out.stdout else {})


async def _until(port: int, pred, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while True:
        code, report = await asyncio.to_thread(_status, port)
        if pred(code, report) or time.monotonic() > end:
            return code, report
        await asyncio.sleep(0.3)


async def test_run_notifies_systemd_pings_the_watchdog_and_reports_health(tmp_path: Path) -> None:
    data, port = tmp_path / "data", _free_port(SERVER_ADDR)
    status_port = _free_port("127.0.0.1")
    listen = f"{SERVER_ADDR}:{port}"
    cfg = tmp_path / "server.toml"
    cfg.write_text(f'status_port = {status_port}\n')
    # Every CLI run in a thread: blocking the loop for seconds of Python start-up under
    # load would starve the run's shared room service of its Janus keepalives.
    await asyncio.to_thread(
        subprocess.run, [*CMD, "user", "add", "t1", "--role", "teacher", "--data", str(data)],
        input="a long enough password\n", text=True, check=True, capture_output=True)
    made = json.loads((await asyncio.to_thread(
        subprocess.run, [*CMD, "room", "create", "--teacher", "t1", "--json", "--data",
                         str(data), "--listen", listen],
        capture_output=True, text=True, check=True)).stdout)
    notify = FakeSystemd(tmp_path / "notify")
    env = dict(os.environ, NOTIFY_SOCKET=str(notify.path), WATCHDOG_USEC="400000")
    proc = await asyncio.create_subprocess_exec(
        *CMD, "run", "--listen", listen, "--data", str(data), "--config", str(cfg), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        end = time.monotonic() + 30
        while not notify.since(0, "READY=1") and time.monotonic() < end:
            await asyncio.sleep(0.1)
        assert notify.since(0, "READY=1") == 1
        t = time.monotonic()
        await asyncio.sleep(1.0)
        assert notify.since(t, "WATCHDOG=1") >= 3        # every 0.2 s: half of 0.4 s

        code, report = await asyncio.to_thread(_status, status_port)
        assert code == 0 and report["ok"] and [n["up"] for n in report["janus"]] == [True]
        assert report["rooms"] == 0 and report["recordings_in_progress"] == 0

        url = p.parse_link(made["pupil_link"]).service_url
        teacher, _ = await join(url, made["teacher_link"], "Ms Health", made["pin"])
        pupil, _ = await join(url, made["pupil_link"], "Paul Health", made["pin"])
        code, report = await asyncio.to_thread(_status, status_port)
        assert (report["rooms"], report["participants"], report["waiting"]) == (1, 1, 1)
        text = (await asyncio.to_thread(subprocess.run, [*CMD, "status", "--port",
                                                         str(status_port)],
                                        capture_output=True, text=True)).stdout
        assert "rooms: 1" in text
        for out in (text, json.dumps(report)):
            assert "Health" not in out and "10.77.0.2" not in out

        # A service whose loop stops answering stops the pings: systemd restarts it.
        os.kill(proc.pid, signal.SIGSTOP)
        await asyncio.sleep(0.3)               # a ping sent just before the stop arrives
        t = time.monotonic()
        await asyncio.sleep(1.0)
        assert notify.since(t, "WATCHDOG=1") == 0
        os.kill(proc.pid, signal.SIGCONT)
        t = time.monotonic()
        await asyncio.sleep(1.0)
        assert notify.since(t, "WATCHDOG=1") >= 1

        # A killed Janus shows as recovered; the room and its members are still there.
        janus = next(c for c in psutil.Process(proc.pid).children(recursive=True)
                     if c.name() == "janus")
        janus.kill()
        code, report = await _until(status_port, lambda c, r: r.get("janus_recoveries") == 1 and c == 0)
        assert code == 0 and report["janus"][0]["up"] and report["rooms"] == 1
        assert report["participants"] == 1 and report["waiting"] == 1

        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        await asyncio.sleep(0.3)
        assert notify.since(0, "STOPPING=1") == 1
        assert (await asyncio.to_thread(_status, status_port))[0] == 2   # nobody answers
        for c in (teacher, pupil):
            await c.close()
    finally:
        if proc.returncode is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.kill()
            await proc.wait()
        notify.close()


async def test_a_killed_service_takes_its_janus_with_it_and_a_taken_status_port_is_no_reason_to_stop(tmp_path: Path) -> None:
    listen = f"{SERVER_ADDR}:{_free_port(SERVER_ADDR)}"
    taken = socket.socket()          # something else holds the status port
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    cfg = tmp_path / "server.toml"
    cfg.write_text(f"status_port = {taken.getsockname()[1]}\n")
    proc = await asyncio.create_subprocess_exec(
        *CMD, "run", "--listen", listen, "--data", str(tmp_path / "data"), "--config", str(cfg),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stderr is not None
        log = b""
        while b"ready on" not in (line := await asyncio.wait_for(proc.stderr.readline(), 30)):
            assert line, "the service exited"
            log += line
        # Lessons are served without the status page.
        assert b"cannot open the status port" in log
        [janus] = [c for c in psutil.Process(proc.pid).children(recursive=True)
                   if c.name() == "janus"]
        proc.kill()              # no stop(): a crash, or systemd's watchdog
        await proc.wait()
        gone, _ = await asyncio.to_thread(psutil.wait_procs, [janus], 5)
        assert gone, "the spawned Janus outlived its service"
    finally:
        taken.close()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
