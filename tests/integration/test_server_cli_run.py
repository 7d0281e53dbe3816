"""`klasse-server run` as IT runs it: its default spawns a private local Janus."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil

from klasse.app import protocol as p
from klasse.media.synthetic import SyntheticVideoTrack
from tests.server_fixtures import join, publish, subscribe, wait_publishing

SERVER_ADDR = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
CMD = [sys.executable, "-m", "klasse.server.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((SERVER_ADDR, 0))
        return int(s.getsockname()[1])


async def test_run_spawns_janus_serves_a_lesson_and_stops_cleanly(tmp_path: Path) -> None:
    data, port = tmp_path / "data", _free_port()
    listen = f"{SERVER_ADDR}:{port}"
    # In threads: seconds of CLI start-up under load must not stall the shared loop
    # (the run's room service would miss its Janus keepalives).
    await asyncio.to_thread(
        subprocess.run, [*CMD, "user", "add", "t1", "--role", "teacher", "--data", str(data)],
        input="a long enough password\n", text=True, check=True)
    made = json.loads((await asyncio.to_thread(
        subprocess.run, [*CMD, "room", "create", "--teacher", "t1", "--json", "--data",
                         str(data), "--listen", listen],
        capture_output=True, text=True, check=True)).stdout)
    proc = await asyncio.create_subprocess_exec(
        *CMD, "run", "--listen", listen, "--data", str(data),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        while not any("ready on" in line for line in lines):
            raw = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert raw, "the service exited: " + "".join(lines)
            lines.append(raw.decode())
        ready = [line for line in lines if "ready on" in line]
        assert len(ready) == 1 and ready[0].rstrip().endswith(f"ready on ws://{listen}")
        janus = [c for c in psutil.Process(proc.pid).children(recursive=True)
                 if c.name() == "janus"]
        assert len(janus) == 1
        janus_folder = Path(janus[0].cmdline()[janus[0].cmdline().index("-F") + 1])

        url = p.parse_link(made["pupil_link"]).service_url
        teacher, _ = await join(url, made["teacher_link"], "Ms Run", made["pin"])
        pupil, pw = await join(url, made["pupil_link"], "Paul Run", made["pin"])
        await teacher.send(p.Admit(participant=pw.participant))
        await pupil.recv(p.Admitted)
        pc = await publish(pupil, [SyntheticVideoTrack(160, 120, fps=15)])
        await wait_publishing(teacher, pw.participant)
        got = await subscribe(teacher, pw.participant)
        await asyncio.wait_for(got.first.wait(), 15)
        await got.close()
        await pc.close()

        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        # Everyone was told; the spawned Janus and its folder are gone.
        assert (await teacher.recv(p.Closed)).reason == "server_shutdown"
        assert not janus[0].is_running() or janus[0].status() == psutil.STATUS_ZOMBIE
        assert not janus_folder.exists()
        rest = (await proc.stdout.read()).decode()
        log = "".join(lines) + rest
        assert "Ms Run" not in log and "Paul Run" not in log and "10.77.0.2" not in log
        for c in (teacher, pupil):
            await c.close()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
