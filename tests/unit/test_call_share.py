"""The call machine's part of screen sharing: it starts sending only when the service
names this participant as the sharer, and stops on every way a share can end."""

from __future__ import annotations

from klasse.app import protocol as p
from klasse.app.call_state import Send, StartShare, StopShare
from klasse.app.events import ShareChanged
from tests.unit.test_call_state import joined_machine, of, person, welcome


def sharing(pid: str) -> p.Participants:
    return p.Participants(participants=[
        p.Participant(id="me", name="ME", role="pupil", state="joined", publishing=True,
                      sharing=pid == "me", may_share=True),
        p.Participant(id="t", name="T", role="teacher", state="joined", publishing=True,
                      sharing=pid == "t")])


def test_sending_starts_only_when_the_service_says_so() -> None:
    m = joined_machine()
    out = m.request_share()
    assert of(Send, out) == [Send(p.Share(on=True))] and not of(StartShare, out)
    out = m.receive(sharing("me"))
    assert of(StartShare, out) == [StartShare()]
    assert of(ShareChanged, out) == [ShareChanged("me", mine=True)]
    out = m.stop_share()
    assert of(StopShare, out) and of(Send, out) == [Send(p.Share(on=False))]


def test_refused_replaced_or_dropped_shares_stop() -> None:
    m = joined_machine()
    m.request_share()
    out = m.receive(p.Error(code=p.ErrorCode.NOT_ALLOWED, message="no", ref="share"))
    assert of(StopShare, out) and not m.share_wanted
    # Someone else takes over: told by the service, we stop.
    m.request_share()
    m.receive(sharing("me"))
    out = m.receive(p.Moderation(action="share_off"))
    assert of(StopShare, out)
    out = m.receive(sharing("t"))
    assert of(ShareChanged, out) == [ShareChanged("t", mine=False)] and not of(StartShare, out)
    # A share that the service still names after we stopped is switched off there.
    out = m.receive(sharing("me"))
    assert of(Send, out) == [Send(p.Share(on=False))] and not of(StartShare, out)


def test_a_resumed_seat_and_leaving_end_the_share() -> None:
    m = joined_machine()
    m.request_share()
    m.receive(sharing("me"))
    m.connection_lost()
    out = m.receive(welcome("joined"))
    assert of(StopShare, out) and not m.share_wanted
    m.request_share()
    assert of(StopShare, m.leave())


def test_only_once_in_the_lesson() -> None:
    m = joined_machine()
    m.leave()
    out = m.request_share()
    assert of(StopShare, out) and not of(Send, out)
    assert person("x").sharing is False
