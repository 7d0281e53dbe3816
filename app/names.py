"""Participant-chosen text made safe to relay and to show: names, room titles, chat.

Shared by the room service (which refuses or cleans before relaying) and the client
(which checks a name before it sends it). Qt-free. Everything a participant writes is
normalised to Unicode NFC; control characters, bidi overrides/isolates and
zero-width characters are removed from names, and a name must keep something
visible. Limits are in characters and in UTF-8 bytes, so the size of a room's
participant list is bounded whatever script the names use.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_CHARS = 64
MAX_NAME_BYTES = 128
MAX_TITLE_CHARS = 200
MAX_TITLE_BYTES = 400
MAX_COMBINING_RUN = 3         # marks stacked on one letter ("Zalgo" text grows upwards)

# Format characters that change direction: always removed (they reorder what follows).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
# Letters that draw nothing: they make a name look empty or like someone else's.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")
# Categories removed from names: controls, format (zero-width, bidi, soft hyphen),
# surrogates, private use, unassigned, line/paragraph separators.
_DROPPED_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class TextRefused(ValueError):
    """The text cannot be used; the message says why (one line, for the user)."""


def _drop_long_mark_runs(text: str) -> str:
    out: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.category(ch) in ("Mn", "Me"):
            run += 1
            if run > MAX_COMBINING_RUN:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)


def _visible(text: str) -> bool:
    return any(not ch.isspace() and ch not in BLANK_LETTERS
               and unicodedata.category(ch)[0] in "LNPS" for ch in text)


def _single_line(text: str, dropped: frozenset[str]) -> str:
    text = unicodedata.normalize("NFC", text)
    kept = [" " if ch.isspace() else ch for ch in text
            if unicodedata.category(ch) not in dropped or ch in "\t\n\r"]
    text = _drop_long_mark_runs("".join(kept))
    return " ".join(text.split())


def clean_name(raw: str) -> str:
    """The name as it will be shown to others; TextRefused if nothing usable is left
    or it is too long (in characters or UTF-8 bytes)."""
    name = _single_line(raw, _DROPPED_IN_NAMES)
    if not _visible(name):
        raise TextRefused("a name needs at least one visible letter, digit or sign")
    if len(name) > MAX_NAME_CHARS or len(name.encode()) > MAX_NAME_BYTES:
        raise TextRefused(f"a name is at most {MAX_NAME_CHARS} characters "
                          f"({MAX_NAME_BYTES} bytes)")
    return name


def clean_title(raw: str) -> str:
    """A room title: as a name, but longer and it may be empty."""
    title = _single_line(raw, _DROPPED_IN_NAMES)
    if not _visible(title):
        return ""
    if len(title) > MAX_TITLE_CHARS or len(title.encode()) > MAX_TITLE_BYTES:
        raise TextRefused(f"a title is at most {MAX_TITLE_CHARS} characters")
    return title


def clean_chat(raw: str) -> str:
    """Chat text: NFC, no control characters but line breaks, no bidi overrides.
    Zero-width joiners stay (emoji sequences and several scripts need them)."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))
    kept = [ch for ch in text if ch == "\n" or (
        unicodedata.category(ch) not in ("Cc", "Cs", "Co") and ch not in BIDI_CONTROLS)]
    return _drop_long_mark_runs("".join(kept)).strip()
