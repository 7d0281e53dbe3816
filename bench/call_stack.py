"""Shared set-up of the call benchmarks: `klasse-server run` (with its own Janus) in
the private network namespace, rooms made with `klasse-server room create`."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

CLI = [sys.executable, "-m", "klasse.server.cli"]


@dataclass
class Stack:
    data: Path
    listen: str
    service: psutil.Process
    janus: psutil.Process

    def new_room(self, title: str = "bench") -> dict[str, str]:
        out = subprocess.run([*CLI, "room", "create", "--teacher", "bench.teacher", "--json",
                              "--title", title, "--data", str(self.data), "--listen", self.listen],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)  # type: ignore[no-any-return]


def require_netns() -> None:
    if os.environ.get("KLASSE_NETNS") != "1":
        raise SystemExit("run me through scripts/netns-run (the private test network)")


@contextlib.contextmanager
def service_stack() -> Iterator[Stack]:
    require_netns()
    addr = os.environ.get("KLASSE_SERVER_ADDR", "10.77.0.1")
    with socket.socket() as s:
        s.bind((addr, 0))
        port = s.getsockname()[1]
    data = Path(tempfile.mkdtemp(prefix="klasse-bench-"))
    listen = f"{addr}:{port}"
    subprocess.run([*CLI, "user", "add", "bench.teacher", "--role", "teacher", "--data",
                    str(data)], input="bench password 1234\n", text=True, check=True,
                   capture_output=True)
    server = subprocess.Popen([*CLI, "run", "--listen", listen, "--data", str(data)],
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        while "ready on" not in (line := server.stderr.readline()):
            if not line:
                raise SystemExit("the room service did not start")
        # Keep reading its log so that a full pipe never stalls the service (and keep it
        # in KLASSE_BENCH_SERVICE_LOG if set).
        keep = os.environ.get("KLASSE_BENCH_SERVICE_LOG")
        sink = open(keep, "a") if keep else None   # the drain thread owns it

        def drain() -> None:
            for line in server.stderr:  # type: ignore[union-attr]
                if sink is not None:
                    sink.write(line)
                    sink.flush()
        threading.Thread(target=drain, daemon=True).start()
        svc = psutil.Process(server.pid)
        janus = next(c for c in svc.children(recursive=True) if c.name() == "janus")
        yield Stack(data, listen, svc, janus)
    finally:
        server.terminate()
        server.wait(10)
        subprocess.run(["rm", "-rf", str(data)], check=False)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
