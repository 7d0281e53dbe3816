"""Device specs: how a spec is opened, and the headless flags that take them."""

from __future__ import annotations

import os

import pytest

from klasse.app.cli import build_parser
from klasse.media.audio_devices import (
    AudioDeviceError,
    OpenSpec,
    device_present,
    opening,
    resolve,
)
from klasse.media.audio_engine import is_device_mic


def test_pulse_specs_choose_the_device_through_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve("pulse:usbmic", "input") == OpenSpec("pulse", {"PULSE_SOURCE": "usbmic"})
    assert resolve("pulse:hdmi", "output") == OpenSpec("pulse", {"PULSE_SINK": "hdmi"})
    monkeypatch.setenv("PULSE_SOURCE", "before")
    with opening(resolve("pulse:usbmic", "input")):
        assert os.environ["PULSE_SOURCE"] == "usbmic"
    assert os.environ["PULSE_SOURCE"] == "before"      # put back for the next open
    with pytest.raises(AudioDeviceError):
        resolve("usb:3", "input")


def test_what_counts_as_a_device_microphone() -> None:
    for spec in ("default", "pulse:mic", "device:Headset", "alsa:hw:0,0", "microphone"):
        assert is_device_mic(spec), spec
    for spec in ("off", "synthetic", "file:/tmp/x.wav", "pulse:"):
        assert not is_device_mic(spec), spec


def test_presence_of_names_that_cannot_be_checked_is_unknown() -> None:
    assert device_present("default", "input") is True
    assert device_present("null", "output") is True
    assert device_present("alsa:hw:0,0", "input") is None


def test_headless_flags() -> None:
    args = build_parser().parse_args(
        ["join", "klasse://h:1/join/t", "--headless", "--mic", "pulse:mic",
         "--speaker", "pulse:spk", "--camera", "dshow:Integrated Camera",
         "--noise-suppression", "off"])
    assert (args.mic, args.speaker, args.camera, args.noise_suppression) == (
        "pulse:mic", "pulse:spk", "dshow:Integrated Camera", "off")
    assert build_parser().parse_args(["join", "x", "--headless"]).speaker == "null"
    for bad in (["--speaker", "loud"], ["--mic", "pulse:"], ["--camera", "usb:1"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["join", "x", "--headless", *bad])
