"""Session descriptions from participants, checked against what the service offers
before any of them reaches Janus.

The service's rooms carry Opus audio and VP8 video over DTLS-SRTP, nothing else: no
data channels, no other transport. A publisher's offer may only send audio and video
(at most MAX_AUDIO and MAX_VIDEO sections) and must offer Opus or VP8 in each; a
subscriber's answer may only answer the sections Janus offered it. Anything else is
refused with BAD_MESSAGE at once (Janus never answers an m=application offer, so
without this check the participant waited 20 s; a malformed one risks Janus itself).
Pure functions: no I/O, no Janus.
"""

from __future__ import annotations

import re

from klasse.app.protocol import ErrorCode, ProtocolError

MAX_LINES = 400
MAX_LINE_CHARS = 1024
MAX_AUDIO = 1
MAX_VIDEO = 2                  # camera and (issue 13) a shared screen
PROTO = "UDP/TLS/RTP/SAVPF"
SESSION_LETTERS = frozenset("vosiuepcbtrzka")
MEDIA_LETTERS = frozenset("icbka")
# Codec names a browser or aiortc may list beside the one the room uses.
KNOWN_CODECS = {
    "audio": frozenset({"opus", "red", "telephone-event", "cn", "pcmu", "pcma", "g722",
                        "isac", "ilbc"}),
    "video": frozenset({"vp8", "vp9", "h264", "h265", "av1", "rtx", "red", "ulpfec",
                        "flexfec-03"}),
}
ROOM_CODEC = {"audio": "opus", "video": "vp8"}
PUBLISH_DIRECTIONS = frozenset({"sendrecv", "sendonly"})
ANSWER_DIRECTIONS = frozenset({"recvonly", "inactive"})
_DIRECTIONS = frozenset({"sendrecv", "sendonly", "recvonly", "inactive"})
_MLINE = re.compile(r"^m=(\w+) (\d{1,5})(?:/\d{1,2})? (\S+)((?: \d{1,3})+)$")
_RTPMAP = re.compile(r"^a=rtpmap:(\d{1,3}) ([A-Za-z0-9._-]{1,32})/(\d{1,6})(?:/(\d{1,2}))?$")
_FMTP = re.compile(r"^a=(?:fmtp|rtcp-fb):(\d{1,3}|\*) \S")
_EXTMAP = re.compile(r"^a=extmap:(\d{1,3})(?:/\w+)? \S{1,256}$")
_SSRC = re.compile(r"^a=ssrc:(\d{1,10}) ")


def _bad(why: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_MESSAGE, f"sdp refused: {why}")


class Section:
    """One m= section as far as the checks need it."""

    def __init__(self, kind: str, port: int, proto: str, payloads: list[int]) -> None:
        self.kind, self.port, self.proto, self.payloads = kind, port, proto, payloads
        self.codecs: dict[int, str] = {}
        self.direction = "sendrecv"


def parse(sdp: str) -> tuple[list[str], list[Section]]:
    """Session-level lines and the m= sections; BAD_MESSAGE for anything that is not
    a well-formed SDP made of known lines."""
    if not sdp.isascii():
        raise _bad("only ASCII is accepted")
    lines = sdp.replace("\r\n", "\n").rstrip("\n").split("\n")
    if len(lines) > MAX_LINES:
        raise _bad(f"more than {MAX_LINES} lines")
    if lines[0] != "v=0":
        raise _bad("it does not start with v=0")
    session: list[str] = []
    sections: list[Section] = []
    for line in lines:
        if len(line) > MAX_LINE_CHARS or len(line) < 3 or line[1] != "=" \
                or any(ord(c) < 32 or ord(c) == 127 for c in line):
            raise _bad("a line is malformed")
        letter = line[0]
        if letter == "m":
            if line.startswith("m=application"):
                raise _bad("data channels (m=application) are not offered by this service")
            m = _MLINE.match(line)
            if m is None:
                raise _bad("an m-line is malformed")
            sections.append(Section(m.group(1), int(m.group(2)), m.group(3),
                                    [int(x) for x in m.group(4).split()]))
            continue
        if not sections:
            if letter not in SESSION_LETTERS:
                raise _bad(f"unknown session line {letter}=")
            session.append(line)
            continue
        if letter not in MEDIA_LETTERS:
            raise _bad(f"unknown media line {letter}=")
        _media_attribute(sections[-1], line)
    if not sections:
        raise _bad("it has no m-line")
    return session, sections


def _media_attribute(sec: Section, line: str) -> None:
    if not line.startswith("a="):
        return
    value = line[2:]
    if value in _DIRECTIONS:
        sec.direction = value
        return
    if value.startswith("rtpmap:"):
        m = _RTPMAP.match(line)
        if m is None:
            raise _bad("an rtpmap is malformed")
        pt = int(m.group(1))
        if pt > 127 or pt not in sec.payloads:
            raise _bad("an rtpmap names a payload type the m-line does not list")
        sec.codecs[pt] = m.group(2).lower()
        return
    if value.startswith(("fmtp:", "rtcp-fb:")):
        m = _FMTP.match(line)
        if m is None or (m.group(1) != "*" and int(m.group(1)) not in sec.payloads):
            raise _bad("an fmtp or rtcp-fb line names no payload type of its m-line")
        return
    if value.startswith("extmap:"):
        m = _EXTMAP.match(line)
        if m is None or not 1 <= int(m.group(1)) <= 255:
            raise _bad("an extmap is malformed")
        return
    if value.startswith("ssrc:"):
        m = _SSRC.match(line)
        if m is None or int(m.group(1)) >= 2**32:
            raise _bad("an ssrc is malformed")


def _common(sections: list[Section], session: list[str]) -> None:
    for sec in sections:
        if sec.kind == "application":
            raise _bad("data channels (m=application) are not offered by this service")
        if sec.kind not in ("audio", "video"):
            raise _bad(f"m={sec.kind} is not offered by this service")
        if sec.proto != PROTO:
            raise _bad(f"transport {sec.proto} is not offered (only {PROTO})")
        if any(pt > 127 for pt in sec.payloads):
            raise _bad("a payload type is over 127")
        unknown = set(sec.codecs.values()) - KNOWN_CODECS[sec.kind]
        if unknown:
            raise _bad(f"unknown {sec.kind} codec {sorted(unknown)[0]}")


def check_offer(sdp: str) -> None:
    """A publisher's offer: audio and video only, each sending and offering the
    room's codec, no more sections than a participant publishes."""
    session, sections = parse(sdp)
    _common(sections, session)
    counts = {"audio": 0, "video": 0}
    for sec in sections:
        counts[sec.kind] += 1
        if sec.direction not in PUBLISH_DIRECTIONS:
            raise _bad(f"a published {sec.kind} section must send (not {sec.direction})")
        if ROOM_CODEC[sec.kind] not in sec.codecs.values():
            raise _bad(f"the {sec.kind} section does not offer {ROOM_CODEC[sec.kind]}, "
                       "the room's codec")
    if counts["audio"] > MAX_AUDIO or counts["video"] > MAX_VIDEO:
        raise _bad(f"at most {MAX_AUDIO} audio and {MAX_VIDEO} video sections")
    if "a=fingerprint:" not in sdp or "a=ice-ufrag:" not in sdp:
        raise _bad("no DTLS fingerprint or ICE credentials")


def check_answer(sdp: str, offered: str | None = None) -> None:
    """A subscriber's answer to Janus's offer: the same sections in the same order,
    receiving only."""
    session, sections = parse(sdp)
    _common(sections, session)
    for sec in sections:
        if sec.direction not in ANSWER_DIRECTIONS and sec.port != 0:
            raise _bad(f"a subscriber's {sec.kind} section must only receive")
    if offered is not None:
        _, theirs = parse(offered)
        if [s.kind for s in sections] != [s.kind for s in theirs]:
            raise _bad("the answer's sections do not match the offer")
    if "a=fingerprint:" not in sdp or "a=ice-ufrag:" not in sdp:
        raise _bad("no DTLS fingerprint or ICE credentials")
