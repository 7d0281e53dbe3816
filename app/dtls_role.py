"""Be the DTLS server when answering Janus's offers (a=setup:passive).

A subscription's offer comes from Janus with a=setup:actpass, and aiortc answers as
the DTLS client: its ClientHello goes out as soon as its own ICE completes. Janus
(the controlling agent) often sees its ICE component ready a moment later, and
drops DTLS that arrives before it started its own handshake (dtls.c,
janus_dtls_srtp_incoming_msg: "handshake not started yet"); OpenSSL then resends
the ClientHello only after its initial 1 s timer. bench/join_time.py saw this in
4 of 20 joins: ICE done at ~170 ms, DTLS connected at ~1180 ms, first frame 1.2 s.

As the server, aiortc reads whatever Janus sends once its ICE is up (aioice queues
it), as it already does for the publisher, where Janus answers a=setup:active and
the handshake never waited. Janus's own retransmission timer is its `dtls_timeout`
(server/janus_config.py).
"""

from __future__ import annotations

from aiortc import RTCPeerConnection


def answer_as_dtls_server(pc: RTCPeerConnection) -> None:
    """Call between setRemoteDescription(offer) and createAnswer()."""
    transports = {id(t.receiver.transport): t.receiver.transport for t in pc.getTransceivers()}
    if pc.sctp is not None:
        transports[id(pc.sctp.transport)] = pc.sctp.transport
    for transport in transports.values():
        if transport._role == "auto":
            transport._set_role("server")
