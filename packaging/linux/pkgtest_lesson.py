#!/usr/bin/python3
"""A lesson between the installed packages, run inside the clean root (stdlib only).

Run by packages_test.sh with the root's own python3, inside the private network
namespace (10.77.0.1 = server, 10.77.0.2 = client side):
- /etc/klasse/server.toml is written, the installed `klasse-server` adds a teacher and
  creates a room as the `klasse` system user the package created, and runs the service
  (which spawns the Debian janus);
- two installed `klasse join --headless` participants join: the teacher admits the
  pupil, the pupil turns on a synthetic camera, the teacher must receive its video;
- both leave (their call caches wiped), the service stops cleanly on SIGTERM.
Exit status 0 only if all of that happened; every step prints one line.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time

CONFIG = """\
listen = "10.77.0.1"
port = 8765
data = "/var/lib/klasse"
log_level = "info"
recording_allowed = false
"""
# setpriv execs the command itself (runuser would stay as a parent and turn the
# service's SIGTERM into its own exit status).
AS_KLASSE = ["setpriv", "--reuid=klasse", "--regid=klasse", "--init-groups", "--"]
SERVER = ["klasse-server"]
DEADLINE = 60.0


def step(text: str) -> None:
    print(f"pkgtest: {text}", flush=True)


class Participant:
    def __init__(self, name: str, link: str, pin: str) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            ["klasse", "join", link, "--headless", "--name", name, "--pin", pin,
             "--camera", "synthetic"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1)
        self.events: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.events.put(json.loads(line))

    def send(self, **cmd: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def wait_for(self, test, what: str) -> dict:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            try:
                event = self.events.get(timeout=end - time.monotonic())
            except queue.Empty:
                break
            if event.get("event") == "left" and not test(event):
                raise SystemExit(f"pkgtest: {self.name} left early: {event}")
            if test(event):
                return event
        raise SystemExit(f"pkgtest: {self.name}: no {what} within {DEADLINE:.0f} s")

    def leave(self) -> dict:
        self.send(cmd="leave")
        left = self.wait_for(lambda e: e.get("event") == "left", "left event")
        code = self.proc.wait(20)
        if code != 0 or not left.get("wiped"):
            raise SystemExit(f"pkgtest: {self.name} exit {code}, left {left}")
        return left


def main() -> int:
    os.makedirs("/etc/klasse", exist_ok=True)
    with open("/etc/klasse/server.toml", "w") as f:
        f.write(CONFIG)
    cfg = ["--config", "/etc/klasse/server.toml"]
    subprocess.run([*AS_KLASSE, *SERVER, "user", "add", "t1", "--role", "teacher", *cfg],
                   input="a long enough password\n", text=True, check=True,
                   stdout=subprocess.DEVNULL)
    room = json.loads(subprocess.run(
        [*AS_KLASSE, *SERVER, "room", "create", "--teacher", "t1", "--json", *cfg],
        capture_output=True, text=True, check=True).stdout)
    step("teacher account and room created by the installed klasse-server as user klasse")
    server = subprocess.Popen([*AS_KLASSE, *SERVER, "run", *cfg], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, bufsize=1)
    log: list[str] = []
    try:
        assert server.stdout is not None
        end = time.monotonic() + DEADLINE
        while not any("ready on" in line for line in log):
            line = server.stdout.readline()
            if not line or time.monotonic() > end:
                raise SystemExit("pkgtest: the service did not start:\n" + "".join(log))
            log.append(line)
        threading.Thread(target=lambda: log.extend(server.stdout), daemon=True).start()
        step(f"service up ({log[-1].strip()})")
        teacher = Participant("Teacher T", room["teacher_link"], room["pin"])
        teacher.wait_for(lambda e: e.get("event") == "state" and e["state"] == "joined",
                         "join")
        pupil = Participant("Pupil P", room["pupil_link"], room["pin"])
        pupil.wait_for(lambda e: e.get("event") == "state" and e["state"] == "waiting",
                       "waiting room")
        waiting = teacher.wait_for(lambda e: e.get("event") == "participants" and any(
            p["state"] == "waiting" for p in e["participants"]), "waiting pupil")
        pupil_id = next(p["id"] for p in waiting["participants"] if p["state"] == "waiting")
        teacher.send(cmd="admit", participant=pupil_id)
        pupil.wait_for(lambda e: e.get("event") == "state" and e["state"] == "joined", "admission")
        step("teacher joined, pupil waited and was admitted")
        pupil.send(cmd="camera", on=True)
        video = teacher.wait_for(lambda e: e.get("event") == "video" and e["from"] == pupil_id
                                 and e["frames"] > 10, "video from the pupil")
        step(f"teacher receives the pupil's camera through Janus ({video['frames']} frames)")
        for who in (pupil, teacher):
            who.leave()
        step("both left; call caches wiped")
    finally:
        server.terminate()
        code = server.wait(30)
    if code != 0:
        raise SystemExit(f"pkgtest: the service exited {code}:\n" + "".join(log))
    text = "".join(log)
    if "Pupil P" in text or "Teacher T" in text or "10.77.0.2" in text:
        raise SystemExit("pkgtest: a name or address in the service log at level info")
    step("service stopped cleanly; no names or addresses in its log")
    return 0


if __name__ == "__main__":
    sys.exit(main())
