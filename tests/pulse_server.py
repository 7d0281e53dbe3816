"""A real PulseAudio server without a sound card, for tests and benchmarks.

Started in a private runtime folder (so it never meets the machine's own sound
server): null sinks `spk` (what a client plays; record `spk.monitor` to hear it)
and `micfeed` (play into it to speak), and a source `mic` remapped from
`micfeed.monitor` (what a client records). `add_mic` makes more such pairs;
`echo_on` adds a loopback from the speaker into the microphone, as a laptop's
built-in speakers and microphone do.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

RATE = 48_000
RAW = ["--format=s16le", f"--rate={RATE}", "--channels=1", "--raw", "--latency-msec=20"]


class PulseUnavailable(Exception):
    pass


class PulseServer:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="klasse-pulse-"))
        self.socket = self.dir / "pulse" / "native"
        self.env = {"PULSE_SERVER": f"unix:{self.socket}"}
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("pulseaudio")
        if exe is None or shutil.which("pactl") is None:
            raise PulseUnavailable("pulseaudio / pulseaudio-utils are not installed "
                                   "(make apt installs them)")
        env = dict(os.environ, XDG_RUNTIME_DIR=str(self.dir), HOME=str(self.dir))
        env.pop("PULSE_SERVER", None)
        self._proc = subprocess.Popen(
            [exe, "--daemonize=no", "--exit-idle-time=-1", "-n", "--disallow-exit",
             "--disable-shm=yes", "--log-target=stderr", "--log-level=error",
             "--load=module-native-protocol-unix auth-anonymous=1",
             f"--load=module-null-sink sink_name=spk rate={RATE} channels=1",
             f"--load=module-null-sink sink_name=micfeed rate={RATE} channels=1",
             "--load=module-remap-source master=micfeed.monitor source_name=mic",
             "--load=module-always-sink"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode() if self._proc.stderr else ""
                raise PulseUnavailable(f"pulseaudio exited: {err[-500:]}")
            if self.socket.exists() and self.pactl_ok("info"):
                self.pactl("set-default-source", "mic")
                self.pactl("set-default-sink", "spk")
                return
            time.sleep(0.05)
        self.stop()
        raise PulseUnavailable("pulseaudio did not come up within 10 s")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---------------------------------------------------------------- pactl
    def _env(self) -> dict[str, str]:
        return dict(os.environ, **self.env)

    def pactl(self, *args: str) -> str:
        return subprocess.run(["pactl", *args], env=self._env(), capture_output=True, text=True,
                              check=True, timeout=10).stdout

    def pactl_ok(self, *args: str) -> bool:
        return subprocess.run(["pactl", *args], env=self._env(), capture_output=True,
                              timeout=10).returncode == 0

    def load(self, module: str, *args: str) -> int:
        return int(self.pactl("load-module", module, *args).strip())

    def unload(self, index: int) -> None:
        self.pactl("unload-module", str(index))

    def add_mic(self, name: str) -> tuple[int, int]:
        """Another microphone `name`, spoken into through the sink `name`feed."""
        sink = self.load("module-null-sink", f"sink_name={name}feed", f"rate={RATE}",
                         "channels=1")
        src = self.load("module-remap-source", f"master={name}feed.monitor",
                        f"source_name={name}")
        return sink, src

    def add_speaker(self, name: str) -> int:
        return self.load("module-null-sink", f"sink_name={name}", f"rate={RATE}", "channels=1")

    def module_of(self, source: str) -> int:
        for item in json.loads(self.pactl("-f", "json", "list", "sources")):
            if item["name"] == source:
                return int(item["owner_module"])
        raise LookupError(source)

    def echo_on(self, latency_ms: int = 40) -> int:
        """The speaker heard by the microphone (`spk` -> `mic`), at full level."""
        return self.load("module-loopback", "source=spk.monitor", "sink=micfeed",
                         f"latency_msec={latency_ms}", "source_dont_move=true",
                         "sink_dont_move=true", "adjust_time=0")

    def capture_streams(self, source: str) -> list[dict[str, Any]]:
        """Client recording streams (source-outputs) on `source` right now."""
        sources = {int(s["index"]): s["name"]
                   for s in json.loads(self.pactl("-f", "json", "list", "sources"))}
        outs = json.loads(self.pactl("-f", "json", "list", "source-outputs"))
        return [o for o in outs if sources.get(int(o["source"])) == source
                and o.get("client") not in (None, "", "-")]

    # ---------------------------------------------------------------- sound
    def play(self, samples: np.ndarray, sink: str = "micfeed") -> subprocess.Popen[bytes]:
        """Play int16 mono samples into a sink (returns at once; wait() on the result)."""
        proc = subprocess.Popen(["pacat", "--playback", f"--device={sink}", *RAW],
                                env=self._env(), stdin=subprocess.PIPE)
        assert proc.stdin is not None

        def feed() -> None:
            with contextlib.suppress(BrokenPipeError, ValueError):
                proc.stdin.write(samples.astype(np.int16).tobytes())  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
        threading.Thread(target=feed, daemon=True).start()
        return proc

    def record(self, source: str = "spk.monitor") -> Recording:
        return Recording(self, source)


class Recording:
    """parec of a source until stop(); the samples as int16, with the start time."""

    def __init__(self, server: PulseServer, source: str) -> None:
        self.proc = subprocess.Popen(["parec", f"--device={source}", *RAW],
                                     env=server._env(), stdout=subprocess.PIPE)
        self.started = time.monotonic()
        self.first_at: float | None = None   # when the first samples came in
        self._chunks: list[bytes] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read1(4800):  # type: ignore[attr-defined]
            if self.first_at is None:
                # The first samples were recorded this long before they arrived.
                self.first_at = time.monotonic() - len(chunk) / 2 / RATE
            self._chunks.append(chunk)

    def samples(self) -> np.ndarray:
        data = b"".join(list(self._chunks))
        return np.frombuffer(data[: len(data) // 2 * 2], np.int16)

    def stop(self) -> np.ndarray:
        self.proc.terminate()
        self.proc.wait(5)
        self._thread.join(5)
        return self.samples()


# ---------------------------------------------------------------- signals
def tone(seconds: float, hz: float, dbfs: float = -20.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    amp = 32767 * 10 ** (dbfs / 20) * np.sqrt(2)
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    return (amp * fade * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def speechlike(seconds: float, seed: int = 1, dbfs: float = -20.0) -> np.ndarray:
    """A voiced, syllable-paced signal: a gliding 110-240 Hz pitch with harmonics,
    vowel-like formant weights and 4 Hz on/off envelope (noise suppression leaves
    it alone, as it does speech, unlike a steady tone)."""
    rng = np.random.default_rng(seed)
    n = int(RATE * seconds)
    t = np.arange(n) / RATE
    pitch = 170 + 60 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)) \
        + 15 * np.sin(2 * np.pi * 3.1 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    sig = np.zeros(n)
    for k in range(1, 16):
        f = k * pitch
        weight = np.exp(-((f - 700) / 400) ** 2) + 0.6 * np.exp(-((f - 1800) / 600) ** 2) + 0.1
        sig += weight * np.sin(k * phase) / k ** 0.5
    syll = np.clip(np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 6)) * 1.5, 0, 1)
    sig *= syll * (0.6 + 0.4 * rng.random(int(seconds * 4) + 1).repeat(RATE // 4)[:n])
    sig += rng.normal(0, 0.01, n)
    rms = np.sqrt(np.mean(sig ** 2))
    return (sig / rms * 32767 * 10 ** (dbfs / 20)).clip(-32767, 32767).astype(np.int16)


def level_db(samples: np.ndarray) -> float:
    if samples.size == 0:
        return -100.0
    x = samples.astype(np.float64) / 32768.0
    ms = float(np.mean(x * x))
    return -100.0 if ms <= 1e-10 else 10 * float(np.log10(ms))


def dominant_hz(samples: np.ndarray) -> float:
    x = samples.astype(np.float64) * np.hanning(samples.size)
    spec = np.abs(np.fft.rfft(x))
    return float(np.argmax(spec) * RATE / samples.size)
