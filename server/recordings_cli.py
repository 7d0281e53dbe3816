"""`klasse-server recordings list|delete ID|purge-expired`: recordings for school IT.

Takes the same `--config FILE` / `--data DIR` as `klasse-server run`, so IT runs it
on the server while it serves. The recordings folder is the config's
[recording] dir, else <data>/recordings. Exits non-zero with a one-line reason on
bad input.

server/cli.py hooks this in with `recordings_cli.add_parser(subparsers)`; the
parsed arguments carry `func=run`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from .recording_policy import RecordingConfigError, RecordingPolicy
from .recordings import NoSuchRecording, RecordingInfo, RecordingStore

DEFAULT_DATA = Path("klasse-data")


class CliError(Exception):
    """A one-line reason for the command line."""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    rec = sub.add_parser("recordings", help="list, delete or expire lesson recordings")
    action = rec.add_subparsers(dest="recordings_command", required=True)
    ls = action.add_parser("list", help="list recordings (id, owner, started, expires, state)")
    ls.add_argument("--owner", help="only this teacher's recordings")
    ls.add_argument("--json", action="store_true", help="one JSON array")
    rm = action.add_parser("delete", help="delete one recording and its files")
    rm.add_argument("id")
    purge = action.add_parser("purge-expired", help="delete every recording past its retention")
    for cmd in (ls, rm, purge):
        cmd.add_argument("--config", type=Path, help="the service's TOML config file")
        cmd.add_argument("--data", type=Path, help="the service's data folder")
    rec.set_defaults(func=run)
    return rec


def open_store(config: Path | None, data: Path | None) -> RecordingStore:
    raw: dict[str, object] = {}
    if config is not None:
        try:
            raw = tomllib.loads(config.read_text())
        except FileNotFoundError:
            raise CliError(f"config file {config} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {config}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise CliError(f"{config} is not valid TOML: {exc}") from None
    try:
        policy = RecordingPolicy.from_toml(raw)
    except RecordingConfigError as exc:
        raise CliError(str(exc)) from None
    folder = data or Path(str(raw.get("data", DEFAULT_DATA)))
    try:
        return RecordingStore(policy.directory(folder), policy.retention_s)
    except OSError as exc:
        raise CliError(f"cannot open the recordings folder: {exc}") from None


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _row(store: RecordingStore, info: RecordingInfo) -> dict[str, object]:
    return {"id": info.id, "owner": info.owner, "started": info.started,
            "expires": store.expires(info), "duration_s": info.duration_s, "state": info.state,
            "what": info.what, "files": info.files, "error": info.error}


def run(args: argparse.Namespace) -> int:
    try:
        store = open_store(args.config, args.data)
        if args.recordings_command == "list":
            infos = store.recordings(args.owner)
            if args.json:
                print(json.dumps([_row(store, i) for i in infos]))
            elif not infos:
                print("no recordings")
            for info in infos if not args.json else []:
                length = f"{info.duration_s:.0f} s" if info.duration_s is not None else "-"
                print(f"{info.id}  {info.owner}  started {_when(info.started)}  "
                      f"expires {_when(store.expires(info))}  {length}  {info.state}")
        elif args.recordings_command == "delete":
            store.delete(args.id)
            print(f"deleted {args.id}")
        else:
            gone = store.purge_expired()
            print(f"deleted {len(gone)} expired recording(s)")
    except NoSuchRecording as exc:
        print(f"klasse-server recordings: no recording {exc.args[0]!r}", file=sys.stderr)
        return 2
    except (CliError, OSError) as exc:
        print(f"klasse-server recordings: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="klasse-server")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
