"""Accounts: argon2 hashes in a 0600 file, sessions in memory."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from klasse.server.accounts import AccountError, Accounts


def test_add_verify_login(tmp_path: Path) -> None:
    acc = Accounts(tmp_path)
    acc.add("t.one", "teacher", "a long secret phrase")
    stored = json.loads((tmp_path / "accounts.json").read_text())
    assert stat.S_IMODE((tmp_path / "accounts.json").stat().st_mode) == 0o600
    assert stored["users"]["t.one"]["hash"].startswith("$argon2")
    assert "a long secret phrase" not in (tmp_path / "accounts.json").read_text()
    assert acc.verify("t.one", "a long secret phrase") == "teacher"
    assert acc.verify("t.one", "wrong password!!") is None
    assert acc.verify("nobody", "a long secret phrase") is None
    info = acc.login("t.one", "a long secret phrase")
    assert info is not None and info.role == "teacher"
    assert acc.session(info.token) == info
    assert acc.session(info.token, now=info.expires + 1) is None
    assert acc.session("made-up") is None
    # Sessions are not persisted: a new Accounts (a restart) knows none.
    assert Accounts(tmp_path).session(info.token) is None


@pytest.mark.parametrize(("name", "role", "password"), [
    ("", "teacher", "a long secret phrase"), ("bad name", "teacher", "a long secret phrase"),
    ("ok", "admin", "a long secret phrase"), ("ok", "pupil", "short")])
def test_bad_input(tmp_path: Path, name: str, role: str, password: str) -> None:
    with pytest.raises(AccountError):
        Accounts(tmp_path).add(name, role, password)


def test_duplicate_refused(tmp_path: Path) -> None:
    acc = Accounts(tmp_path)
    acc.add("p1", "pupil", "a long secret phrase")
    with pytest.raises(AccountError):
        acc.add("p1", "teacher", "another long phrase")
    assert acc.role_of("p1") == "pupil"


def test_remove_deletes_account_and_sessions(tmp_path: Path) -> None:
    acc = Accounts(tmp_path)
    acc.add("p1", "pupil", "a long secret phrase")
    acc.add("p2", "pupil", "a long secret phrase")
    info = acc.login("p1", "a long secret phrase")
    assert info is not None
    Accounts(tmp_path).remove("p1")          # another process: `klasse-server user del`
    assert acc.session(info.token) is None
    assert acc.verify("p1", "a long secret phrase") is None
    assert '"p1"' not in (tmp_path / "accounts.json").read_text()
    assert acc.role_of("p2") == "pupil"
    with pytest.raises(AccountError):
        acc.remove("p1")
