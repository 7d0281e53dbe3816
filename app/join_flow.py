"""Joining a lesson, the same for every front end: notice -> accept -> join.

The privacy notice gates the join. It is asked for with the link alone
(app/notice.py), and the Join, which carries the name, goes out only once this
server's notice is accepted; a version accepted before on this server is not asked
again. If the notice changed between the ask and the Welcome (or was never asked,
as in the headless participant, whose decision is on its command line), the gate
comes after the Welcome, with the devices still held back. Declining before the join
sends nothing; accepting with "sound only" keeps the camera off for this call.

Sans-I/O: `JoinFlow` takes what happened and returns what to do; the desktop UI
draws it (ui/main_window.py), the headless participant answers it (app/headless.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from klasse.app.protocol import Link, Notice

R = TypeVar("R")   # what a front end needs to start its call (ui: JoinRequest)


@dataclass(frozen=True)
class AskNotice:
    link: Link


@dataclass(frozen=True)
class ShowNotice:
    notice: Notice


@dataclass(frozen=True)
class StartCall(Generic[R]):
    request: R           # devices switched on before stay off until Release


@dataclass(frozen=True)
class Release:
    camera: bool         # False: sound only; the camera stays off


@dataclass(frozen=True)
class Decline:
    joined: bool         # False: before the join, nothing was sent


Step = AskNotice | ShowNotice | StartCall[R] | Release | Decline


def server_of(link: Link) -> str:
    return f"{link.host}:{link.port}"


class JoinFlow(Generic[R]):
    """One join at a time. `accepted(server)` is the notice version accepted there
    before (None: never); `remember(server, version)` keeps a new acceptance."""

    def __init__(self, accepted: Callable[[str], str | None],
                 remember: Callable[[str, str], None]) -> None:
        self._accepted, self._remember = accepted, remember
        self.link: Link | None = None
        self.request: R | None = None      # a join waiting for the notice's answer
        self.notice: Notice | None = None  # on screen, waiting for a decision
        self.allow_camera = True

    def start(self, link: Link, request: R) -> list[Step[R]]:
        """The user wants to join: ask for the notice first."""
        self.link, self.request, self.notice, self.allow_camera = link, request, None, True
        return [AskNotice(link)]

    def notice_fetched(self, notice: Notice) -> list[Step[R]]:
        assert self.link is not None and self.request is not None
        if notice.version == self._accepted(server_of(self.link)):
            request, self.request = self.request, None
            return [StartCall(request)]
        self.notice = notice
        return [ShowNotice(notice)]

    def welcomed(self, link: Link | None, notice: Notice) -> list[Step[R]]:
        """The service at `link` let us in; its Welcome names the notice in force."""
        self.link, self.request = link, None
        if notice.version != self._accepted(server_of(link) if link is not None else ""):
            self.notice = notice
            return [ShowNotice(notice)]
        return [Release(self.allow_camera)]

    def accept(self, allow_camera: bool = True) -> list[Step[R]]:
        notice, self.notice = self.notice, None
        request, self.request = self.request, None
        if notice is not None and self.link is not None:
            self._remember(server_of(self.link), notice.version)
        self.allow_camera = allow_camera
        return [StartCall(request)] if request is not None else [Release(allow_camera)]

    def decline(self) -> list[Step[R]]:
        joined = self.request is None
        self.notice = self.request = None
        return [Decline(joined)]

    def reset(self) -> None:
        """The call ended or the user went back: nothing is pending any more."""
        self.notice = self.request = None
