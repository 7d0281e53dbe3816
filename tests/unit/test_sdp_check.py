"""Participants' SDP, checked against what the service offers (issue 14, finding 8)."""

from __future__ import annotations

import pytest

from klasse.app.protocol import ErrorCode, ProtocolError
from klasse.server.sdp_check import check_answer, check_offer

FP = "a=fingerprint:sha-256 " + ":".join(["AB"] * 32)


def section(kind: str, pts: dict[int, str], direction: str = "sendrecv",
            proto: str = "UDP/TLS/RTP/SAVPF", port: int = 9, extra: tuple[str, ...] = ()
            ) -> list[str]:
    rate = "48000/2" if kind == "audio" else "90000"
    return [f"m={kind} {port} {proto} {' '.join(map(str, pts))}", "c=IN IP4 0.0.0.0",
            f"a={direction}", f"a=mid:{kind}", "a=rtcp-mux",
            *(f"a=rtpmap:{pt} {name}/{rate}" for pt, name in pts.items()),
            *extra, "a=ice-ufrag:abcd", "a=ice-pwd:0123456789abcdefghijkl", FP,
            "a=setup:actpass"]


def sdp(*sections: list[str]) -> str:
    head = ["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=group:BUNDLE 0 1"]
    return "\r\n".join(head + [line for s in sections for line in s]) + "\r\n"


AUDIO = section("audio", {96: "opus", 0: "PCMU"})
VIDEO = section("video", {97: "VP8", 98: "rtx"}, extra=("a=fmtp:98 apt=97",
                                                         "a=rtcp-fb:97 nack pli",
                                                         "a=ssrc:2791363897 cname:x"))


def refused(text: str, fn=check_offer) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ProtocolError) as exc:
        fn(text)
    assert exc.value.code is ErrorCode.BAD_MESSAGE
    return exc.value.message


def test_a_normal_offer_and_answer_pass() -> None:
    check_offer(sdp(AUDIO, VIDEO))
    check_offer(sdp(VIDEO))
    check_offer(sdp(AUDIO, VIDEO, section("video", {97: "VP8"}, "sendonly")))   # + screen
    check_answer(sdp(section("audio", {96: "opus"}, "recvonly"),
                     section("video", {97: "VP8"}, "recvonly")))


def test_data_channels_are_refused_at_once() -> None:
    app = ["m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=sctp-port:5000"]
    assert "m=application" in refused(sdp(AUDIO, app))
    assert "m=application" in refused(sdp(app), check_answer)


@pytest.mark.parametrize("bad, why", [
    (sdp(section("audio", {0: "PCMU"})), "opus"),
    (sdp(section("video", {99: "H264"})), "vp8"),
    (sdp(section("audio", {96: "opus"}, "recvonly")), "must send"),
    (sdp(section("audio", {96: "opus"}, proto="RTP/AVP")), "transport"),
    (sdp(AUDIO, section("audio", {96: "opus"})), "at most"),
    (sdp(VIDEO, VIDEO, VIDEO), "at most"),
    (sdp(section("text", {96: "t140"})), "m=text"),
    (sdp(section("audio", {96: "opus", 97: "evil-codec"})), "unknown"),
    (sdp(AUDIO).replace("a=rtpmap:96 opus", "a=rtpmap:200 opus"), "rtpmap"),
    (sdp(AUDIO).replace(FP, "a=x:y"), "fingerprint"),
    (sdp(AUDIO).replace("a=mid:audio", "x=evil"), "unknown media line"),
    (sdp(AUDIO).replace("s=-", "s=caf\u00e9"), "ASCII"),
    (sdp(AUDIO).replace("s=-", "s=\x01"), "malformed"),
    (sdp(AUDIO).replace("v=0", "v=1"), "v=0"),
    ("v=0\r\n" + "a=x\r\n" * 500, "lines"),
    (sdp(AUDIO).replace("t=0 0", "t=" + "9" * 2000), "malformed"),
    (sdp(VIDEO).replace("a=rtcp-mux", "a=extmap:999 urn:x"), "extmap"),
    (sdp(VIDEO).replace("a=ssrc:2791363897", "a=ssrc:99999999999"), "ssrc"),
    ("v=0\r\ns=-\r\n", "no m-line"),
])
def test_what_the_service_does_not_offer_is_refused(bad: str, why: str) -> None:
    assert why in refused(bad)


def test_answers_only_receive() -> None:
    assert "only receive" in refused(sdp(section("video", {97: "VP8"}, "sendrecv")),
                                     check_answer)
    check_answer(sdp(section("video", {97: "VP8"}, "sendrecv", port=0)))   # rejected m-line
    offer = sdp(section("audio", {96: "opus"}, "sendonly"), section("video", {97: "VP8"}, "sendonly"))
    answer = sdp(section("video", {97: "VP8"}, "recvonly"), section("audio", {96: "opus"}, "recvonly"))
    with pytest.raises(ProtocolError):
        check_answer(answer, offer)
