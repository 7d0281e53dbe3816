"""Screen and window capture for sharing: whole screens through `mss`, X11 windows
through their geometry (python-xlib), and a clear refusal where neither can work.

Measured at 1920x1080 under Xvfb (2-core machine): `mss` grabs a frame in ~5 ms
of CPU and converting it to I420 with OpenCV adds ~2 ms; PyAV's x11grab costs the
same CPU (~6 ms) but its bundled libxcb refused Xvfb's cookie authorisation, so a
normal desktop session could not use it. `mss` also covers Windows (GDI) and macOS
(CoreGraphics) with the same code.

A window is captured by grabbing its current rectangle on the root window each
frame, so it follows moves and resizes; if the window is closed the grabber raises
`ShareEnded` and sharing stops. Wayland sessions give X clients no other windows
and only black or stale pixels; until the xdg-desktop-portal ScreenCast path
exists, a Wayland session is refused with `ScreenUnavailable` rather than sending
such a picture.

Nothing here is opened before `open()`: listing targets and thumbnails for a
picker is the only thing that touches the display without a share.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from klasse.media.sources import SourceError

MAX_SIZE = (1920, 1080)   # larger sources are scaled down to fit


class ScreenUnavailable(SourceError):
    """This session cannot capture the screen at all (e.g. Wayland without a portal)."""


class ShareEnded(SourceError):
    """The shared window went away (closed or destroyed)."""


TargetKind = Literal["screen", "window"]


@dataclass(frozen=True)
class ShareTarget:
    """Something that can be shared: a screen (mss monitor index) or an X11 window id."""
    kind: TargetKind
    id: int
    title: str
    width: int
    height: int

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.id:#x}" if self.kind == "window" else f"screen:{self.id}"


def session_kind() -> Literal["x11", "wayland", "windows", "macos", "none"]:
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    if os.environ.get("XDG_SESSION_TYPE") == "wayland" or (
            os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY")):
        return "wayland"
    return "x11" if os.environ.get("DISPLAY") else "none"


def check_capture_possible() -> None:
    """Raise ScreenUnavailable with a sentence for the user if capture cannot work here."""
    kind = session_kind()
    if kind == "wayland":
        raise ScreenUnavailable(
            "this is a Wayland session: screen sharing needs the desktop's screen-cast "
            "portal (xdg-desktop-portal ScreenCast), which this version of Klasse cannot "
            "use yet; log in with an X11 session to share")
    if kind == "none":
        raise ScreenUnavailable("there is no display to share (no X11, Windows or macOS session)")


class Grabber(Protocol):
    def grab(self) -> np.ndarray | None:
        """The current picture as BGRA (H, W, 4), or None while there is nothing to
        show (a window that is minimised); raises ShareEnded when it is gone."""
    def close(self) -> None: ...


class DamageWatch:
    """Says when anything was drawn on the X screen (the X DAMAGE extension), so a
    still picture is looked at again the moment it changes instead of on a timer.

    Its own X connection, used only from the event loop's thread: wait until
    `fileno()` is readable, then `take()`. The grabbers' connections are separate
    (they grab in a worker thread)."""

    def __init__(self) -> None:
        from Xlib import display
        from Xlib.ext import damage

        self._display = display.Display()
        if not self._display.has_extension("DAMAGE"):
            self._display.close()
            raise ScreenUnavailable("the X server has no DAMAGE extension")
        self._display.damage_query_version()
        # NonEmpty: one event when something is drawn, none until take() re-arms it.
        root = self._display.screen().root
        self._damage = root.damage_create(damage.DamageReportNonEmpty)
        self._display.sync()

    def fileno(self) -> int:
        return int(self._display.fileno())

    def take(self) -> bool:
        """Whether anything was drawn since the last take(); re-arms the watch."""
        drawn = False
        while self._display.pending_events():
            self._display.next_event()
            drawn = True
        self._display.damage_subtract(self._damage)
        self._display.flush()
        return drawn

    def close(self) -> None:
        self._display.close()


def damage_watch() -> DamageWatch | None:
    """A DamageWatch in an X11 session that offers it; else None (the share then
    looks at a still picture POLL_FPS times a second)."""
    if session_kind() != "x11":
        return None
    try:
        return DamageWatch()
    except Exception:  # no extension, or the display went: polling still works
        return None


def _mss() -> Any:
    try:
        import mss
    except ImportError as exc:   # pragma: no cover - a dependency of the package
        raise ScreenUnavailable(f"screen capture is not installed ({exc})") from None
    try:
        return mss.MSS()
    except Exception as exc:  # mss raises its own ScreenShotError and OSErrors
        raise ScreenUnavailable(f"cannot open the display for capture: {exc}") from None


class ScreenGrabber:
    """One whole screen (mss monitor `index`, 1 = the first screen)."""

    def __init__(self, index: int = 1) -> None:
        check_capture_possible()
        self._mss = _mss()
        monitors = self._mss.monitors
        if not 1 <= index < len(monitors):
            self._mss.close()
            raise SourceError(f"there is no screen {index} (screens: 1 to {len(monitors) - 1})")
        self.monitor = dict(monitors[index])
        self.watch = damage_watch()

    def grab(self) -> np.ndarray:
        shot = self._mss.grab(self.monitor)
        return np.frombuffer(shot.raw, np.uint8).reshape(shot.height, shot.width, 4)

    def close(self) -> None:
        self._mss.close()
        if self.watch is not None:
            self.watch.close()


class X11WindowGrabber:
    """One X11 window: its rectangle on the root window, looked up every frame."""

    def __init__(self, window_id: int) -> None:
        check_capture_possible()
        if session_kind() != "x11":
            raise ScreenUnavailable("sharing a single window needs an X11 session here; "
                                    "share a whole screen instead")
        from Xlib import X, display, error

        self._error = error
        self._viewable = X.IsViewable
        try:
            self._display = display.Display()
        except Exception as exc:  # Xlib raises DisplayError subclasses and OSErrors
            raise ScreenUnavailable(f"cannot open the X display: {exc}") from None
        self._root = self._display.screen().root
        self._window = self._display.create_resource_object("window", window_id)
        self._mss = _mss()
        self.title = window_title(self._display, self._window)
        self.rect = self._rect()   # raises ShareEnded if there is no such window
        self.watch: DamageWatch | None = None
        if self.rect is None:
            self.close()
            raise SourceError("the window is not visible")
        self.watch = damage_watch()

    def _rect(self) -> dict[str, int] | None:
        try:
            attrs = self._window.get_attributes()
            geo = self._window.get_geometry()
            pos = self._window.translate_coords(self._root, 0, 0)
        except (self._error.BadWindow, self._error.BadDrawable, self._error.BadMatch):
            raise ShareEnded("the shared window was closed") from None
        if attrs.map_state != self._viewable:
            return None
        root = self._root.get_geometry()
        # translate_coords from the window to the root gives minus the window's origin.
        left, top = max(0, -pos.x), max(0, -pos.y)
        right = min(root.width, -pos.x + geo.width)
        bottom = min(root.height, -pos.y + geo.height)
        if right - left < 2 or bottom - top < 2:
            return None   # entirely off screen
        return {"left": left, "top": top, "width": right - left, "height": bottom - top}

    def grab(self) -> np.ndarray | None:
        self.rect = self._rect()
        if self.rect is None:
            return None
        shot = self._mss.grab(self.rect)
        return np.frombuffer(shot.raw, np.uint8).reshape(shot.height, shot.width, 4)

    def close(self) -> None:
        self._mss.close()
        self._display.close()
        if self.watch is not None:
            self.watch.close()


def window_title(disp: Any, window: Any) -> str:
    try:
        name = window.get_full_property(disp.intern_atom("_NET_WM_NAME"), 0)
        if name is not None and name.value:
            value = name.value
            return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
        legacy = window.get_wm_name()
        return str(legacy) if legacy else ""
    except Exception:   # a window that vanished while we asked: no title
        return ""


def list_targets(include_windows: bool = True,
                 exclude_pid: int | None = None) -> list[ShareTarget]:
    """Screens, then visible top-level windows with a title (X11), for a picker;
    windows of process `exclude_pid` (the client's own) are left out."""
    check_capture_possible()
    with _mss() as grabber:
        targets = [ShareTarget("screen", i, f"Screen {i}", m["width"], m["height"])
                   for i, m in enumerate(grabber.monitors) if i > 0]
    if include_windows and session_kind() == "x11":
        targets += _x11_windows(exclude_pid)
    return targets


def _x11_windows(exclude_pid: int | None = None) -> list[ShareTarget]:
    from Xlib import X, display

    disp = display.Display()
    try:
        root = disp.screen().root
        pid_atom = disp.intern_atom("_NET_WM_PID")
        listed = root.get_full_property(disp.intern_atom("_NET_CLIENT_LIST"), X.AnyPropertyType)
        if listed is not None:   # a window manager names the application windows
            windows = [disp.create_resource_object("window", w) for w in listed.value]
        else:                    # no window manager (Xvfb): the root's mapped children
            windows = list(root.query_tree().children)
        out = []
        for w in windows:
            try:
                if w.get_attributes().map_state != X.IsViewable:
                    continue
                geo = w.get_geometry()
            except Exception:  # gone meanwhile
                continue
            if exclude_pid is not None:
                try:
                    owner = w.get_full_property(pid_atom, X.AnyPropertyType)
                except Exception:  # gone meanwhile
                    continue
                if owner is not None and owner.value and int(owner.value[0]) == exclude_pid:
                    continue
            title = window_title(disp, w)
            if title and geo.width > 1 and geo.height > 1:
                out.append(ShareTarget("window", int(w.id), title, geo.width, geo.height))
        return out
    finally:
        disp.close()


def open_grabber(spec: str) -> Grabber:
    """`screen`, `screen:N` or `window:ID` (decimal or 0x hex) -> an open grabber."""
    kind, _, rest = spec.partition(":")
    try:
        if kind == "screen":
            return ScreenGrabber(int(rest) if rest else 1)
        if kind == "window" and rest:
            return X11WindowGrabber(int(rest, 0))
    except ValueError:
        pass
    raise SourceError(f"unknown screen source {spec!r}: use screen, screen:N or window:ID")


def fit_size(width: int, height: int, limit: tuple[int, int] = MAX_SIZE) -> tuple[int, int]:
    """Even dimensions within `limit`, aspect kept; never scaled up."""
    scale = min(1.0, limit[0] / width, limit[1] / height)
    w, h = int(width * scale), int(height * scale)
    return max(2, w - w % 2), max(2, h - h % 2)


def to_i420(bgra: np.ndarray, limit: tuple[int, int] = MAX_SIZE) -> np.ndarray:
    """BGRA (any size) -> an I420 plane array within `limit` (what VP8 is fed)."""
    import cv2

    h, w = bgra.shape[:2]
    tw, th = fit_size(w, h, limit)
    if (tw, th) != (w, h):
        if tw <= w and th <= h and (w - tw > 1 or h - th > 1):
            bgra = cv2.resize(bgra, (tw, th), interpolation=cv2.INTER_AREA)
        else:   # only an odd edge to drop
            bgra = bgra[:th, :tw]
    return cv2.cvtColor(np.ascontiguousarray(bgra), cv2.COLOR_BGRA2YUV_I420)


def thumbnail(spec: str, width: int = 320) -> np.ndarray | None:
    """A small RGB picture of a share target for the picker; None if it shows nothing."""
    import cv2

    grabber = open_grabber(spec)
    try:
        img = grabber.grab()
    finally:
        grabber.close()
    if img is None:
        return None
    h, w = img.shape[:2]
    tw = min(width, w)
    th = max(1, h * tw // w)
    small = cv2.resize(img, (tw, th), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGRA2RGB)
