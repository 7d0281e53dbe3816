"""`klasse-server recordings list|delete ID|purge-expired`: recordings for school IT.

Takes the same `--config FILE` / `--data DIR` as `klasse-server run`, so IT runs it
on the server while it serves. The recordings folder is the config's
[recording] dir, else <data>/recordings. Exits non-zero with a one-line reason on
bad input.

server/cli.py hooks this in with `recordings_cli.add_parser(subparsers, [common])`
and runs `recordings_cli.run(args)` for the command "recordings".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..config import ConfigError, load
from .store import NoSuchRecording, RecordingInfo, RecordingStore


class CliError(Exception):
    """A one-line reason for the command line."""


def add_parser(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
               parents: list[argparse.ArgumentParser] | None = None) -> argparse.ArgumentParser:
    """Add `recordings`; `parents` carry --config/--data (server/cli.py's common options)."""
    rec = sub.add_parser("recordings", help="list, delete or expire lesson recordings")
    action = rec.add_subparsers(dest="recordings_command", required=True)
    if parents is None:
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument("--config", type=Path, help="the service's TOML config file")
        common.add_argument("--data", type=Path, help="the service's data folder")
        parents = [common]
    ls = action.add_parser("list", parents=parents,
                           help="list recordings (id, owner, started, expires, state)")
    ls.add_argument("--owner", help="only this teacher's recordings")
    ls.add_argument("--json", action="store_true", help="one JSON array")
    rm = action.add_parser("delete", parents=parents, help="delete one recording and its files")
    rm.add_argument("id")
    action.add_parser("purge-expired", parents=parents,
                      help="delete every recording past its retention")
    return rec


def open_store(config: Path | None, data: Path | None) -> RecordingStore | None:
    """The store `klasse-server run` with the same --config/--data uses (None: no folder)."""
    try:
        cfg = load(config).with_overrides(None, data)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    if not cfg.recording.directory(cfg.data).is_dir():
        return None  # never recorded here; a read must not create the folder
    try:
        return RecordingStore(cfg.recording.directory(cfg.data), cfg.recording.retention_s)
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
        if store is None:
            if args.recordings_command == "delete":
                raise NoSuchRecording(args.id)
            print("[]" if getattr(args, "json", False) else "no recordings")
            return 0
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
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
