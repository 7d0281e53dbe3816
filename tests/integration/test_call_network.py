"""During a whole call the client talks to the room service's address and nothing else.

Two observers inside the private namespace: every packet on every interface
(an AF_PACKET socket; a default route sends any attempt to reach another address out
of the client's veth, where it shows up as an ARP request or an IP packet), and the
client processes' own sockets (psutil), which tie TCP connections to the client.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import subprocess
import threading
from pathlib import Path

import psutil

from tests.integration.call_helpers import Headless, is_event
from tests.server_fixtures import SERVER_ADDR, LiveService

CLIENT_ADDR = "10.77.0.2"
ETH_P_ALL = 0x0003
PROBE_ADDR = "10.77.0.99"   # inside the namespace's subnet; no one has it


class Sniffer:
    """Every IPv4/ARP/IPv6 destination seen on any interface of the namespace."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.settimeout(0.2)
        self.seen: list[tuple[str, str, int]] = []   # (interface, kind:dst, dst port)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            ethertype = int.from_bytes(data[12:14], "big")
            if ethertype == 0x0800:
                ihl = (data[14] & 0x0F) * 4
                proto = data[23]
                port = int.from_bytes(data[14 + ihl + 2:14 + ihl + 4], "big") if proto in (6, 17) else 0
                self.seen.append((addr[0], "ip:" + socket.inet_ntoa(data[30:34]), port))
            elif ethertype == 0x0806:
                self.seen.append((addr[0], "arp:" + socket.inet_ntoa(data[38:42]), 0))
            elif ethertype == 0x86DD:
                dst = ipaddress.IPv6Address(data[38:54])
                if not dst.is_multicast:   # the kernel's own neighbour discovery
                    self.seen.append((addr[0], f"ip6:{dst}", 0))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def _client_sockets(pids: list[int]) -> list[tuple[str, str, str]]:
    out = []
    for pid in pids:
        for c in psutil.Process(pid).net_connections(kind="inet"):
            out.append((c.laddr.ip if c.laddr else "", c.raddr.ip if c.raddr else "", str(c.type)))
    return out


async def test_no_traffic_to_anyone_but_the_server(live_service: LiveService, tmp_path: Path) -> None:
    subprocess.run(["ip", "route", "add", "default", "dev", "v1"], check=True)
    sniffer = Sniffer()
    sniffer.start()
    procs: list[Headless] = []
    try:
        # The observer works: a datagram to an address that is not the server's is seen.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.sendto(b"probe", (PROBE_ADDR, 9))
        for _ in range(200):         # up to 10 s: the sniffer thread may be starved
            if any(PROBE_ADDR in dst for _, dst, _ in sniffer.seen):
                break
            await asyncio.sleep(0.05)
        assert any(PROBE_ADDR in dst for _, dst, _ in sniffer.seen)
        mark = len(sniffer.seen)

        room = live_service.new_room()
        for n in ("t", "p"):
            (tmp_path / n).mkdir(mode=0o700)
        media = ("--camera", "synthetic", "--mic", "synthetic", "--blur", "on")
        teacher = await Headless.start(room["teacher_link"], "T", room["pin"], tmp_path / "t", *media)
        procs.append(teacher)
        await teacher.wait(is_event("state", state="joined"))
        pupil = await Headless.start(room["pupil_link"], "P", room["pin"], tmp_path / "p", *media)
        procs.append(pupil)
        await pupil.wait(is_event("state", state="waiting"))
        await teacher.send({"cmd": "admit_all"})
        await pupil.wait(is_event("state", state="joined"))
        pids = [teacher.proc.pid, pupil.proc.pid]
        sockets: list[tuple[str, str, str]] = []
        for who in (teacher, pupil):
            await who.send({"cmd": "camera", "on": True})
            await who.send({"cmd": "mic", "on": True})
        for _ in range(20):          # ~3 s of media, sockets sampled throughout
            sockets += _client_sockets(pids)
            await asyncio.sleep(0.15)
        await pupil.wait(lambda e: e["event"] == "video" and e["frames"] > 10)
        await teacher.wait(lambda e: e["event"] == "video" and e["frames"] > 10)
        await teacher.send({"cmd": "end"})
        for who in procs:
            assert await who.finish() == 0
    finally:
        sniffer.stop()
        subprocess.run(["ip", "route", "del", "default", "dev", "v1"], check=False)
        for who in procs:
            await who.kill()

    # (The kernel keeps asking ARP for the probe's address for a few seconds.)
    during = [s for s in sniffer.seen[mark:] if s[1] != f"arp:{PROBE_ADDR}"]
    allowed = {f"{kind}:{addr}" for kind in ("ip", "arp") for addr in (SERVER_ADDR, CLIENT_ADDR)}
    allowed.add("ip:127.0.0.1")   # the room service <-> Janus API (server side)
    assert [s for s in during if s[1] not in allowed] == []
    assert [s for s in during if s[2] == 53] == []      # no name lookups at all
    assert any(s[1] == f"ip:{SERVER_ADDR}" for s in during)
    # Each client's own sockets: connected only ever to the server, bound only to
    # the namespace's addresses (never loopback, never a wildcard).
    assert sockets
    assert {r for _, r, _ in sockets} <= {"", SERVER_ADDR}
    assert {la for la, _, _ in sockets} <= {SERVER_ADDR, CLIENT_ADDR}
