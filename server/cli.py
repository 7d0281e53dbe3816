"""`klasse-server`: run the room service, add accounts, create rooms, report privacy.

Every command exits non-zero with a one-line reason on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .accounts import AccountError, Accounts
from .config import Config, ConfigError, load
from .links import LinkSigner, load_or_create_key, parse_duration
from .recording import cli as recordings_cli


class _Fail(Exception):
    """A one-line reason to exit with status 2."""


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, like every other refusal of this command."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"klasse-server: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--config", type=Path, default=None, help="TOML config file")
    common.add_argument("--data", type=Path, default=None,
                        help="folder for accounts and the link key")
    common.add_argument("--listen", default=None,
                        help="ADDRESS[:PORT] the service (and a spawned Janus) binds to")
    parser = _Parser(prog="klasse-server", description="Klasse room service")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("run", parents=[common], help="run the room service")
    user = sub.add_parser("user", help="manage accounts")
    usub = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    add = usub.add_parser("add", parents=[common],
                          help="add an account; the password is read from stdin or a prompt")
    add.add_argument("name")
    add.add_argument("--role", choices=("teacher", "pupil"), required=True)
    delete = usub.add_parser("del", parents=[common], help="delete an account")
    delete.add_argument("name")
    room = sub.add_parser("room", help="manage rooms")
    rsub = room.add_subparsers(dest="room_command", required=True, parser_class=_Parser)
    create = rsub.add_parser("create", parents=[common], help="create a room; print its links")
    create.add_argument("--teacher", required=True, help="the teacher's account name")
    create.add_argument("--title", default="")
    create.add_argument("--expires", default="2h", help="link lifetime, e.g. 90m, 2h, 1d")
    create.add_argument("--no-waiting-room", action="store_true",
                        help="pupils enter without admission (default: everyone waits)")
    create.add_argument("--json", action="store_true")
    status = sub.add_parser("status", parents=[common],
                            help="the running service's health: Janus nodes, rooms, counts")
    status.add_argument("--port", type=int, default=None,
                        help="its status port (default: status_port of the config)")
    status.add_argument("--json", action="store_true")
    report = sub.add_parser("privacy-report", parents=[common],
                            help="what this server processes, where, for how long")
    report.add_argument("--json", action="store_true")
    recordings_cli.add_parser(sub, [common])
    return parser


def _config(args: argparse.Namespace) -> Config:
    return load(args.config).with_overrides(args.listen, args.data)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != first:
            raise _Fail("the passwords differ")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def cmd_user_add(args: argparse.Namespace) -> int:
    cfg = _config(args)
    Accounts(cfg.data).add(args.name, args.role, _read_password())
    print(f"added {args.role} {args.name}")
    return 0


def cmd_user_del(args: argparse.Namespace) -> int:
    Accounts(_config(args).data).remove(args.name)
    print(f"deleted {args.name}")
    return 0


def cmd_room_create(args: argparse.Namespace) -> int:
    cfg = _config(args)
    try:
        expires_s = parse_duration(args.expires)
    except ValueError as exc:
        raise _Fail(f"--expires: {exc}") from None
    if Accounts(cfg.data).role_of(args.teacher) != "teacher":
        raise _Fail(f"there is no teacher account {args.teacher!r} "
                    "(add one with `klasse-server user add NAME --role teacher`)")
    if len(args.title) > 200:
        raise _Fail("--title: at most 200 characters")
    signer = LinkSigner(load_or_create_key(cfg.data))
    room = signer.new_room_id()
    expires = float(int(time.time() + expires_s))
    t_link, s_link = signer.links(cfg.link_host, cfg.port, cfg.tls, room, args.title,
                                  args.teacher, expires, not args.no_waiting_room)
    out = {"teacher_link": t_link, "pupil_link": s_link, "pin": signer.pin(room),
           "expires": expires}
    if args.json:
        print(json.dumps(out))
    else:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires))
        print(f"teacher link: {t_link}\npupil link:   {s_link}\nPIN:          {out['pin']}\n"
              f"links expire: {when}")
    return 0


def cmd_privacy_report(args: argparse.Namespace) -> int:
    from .privacy import report
    cfg = _config(args)
    data = report(cfg)
    if args.json:
        print(json.dumps(data, indent=1))
    else:
        from .privacy import render
        print(render(data))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    cfg = _config(args)
    from . import logs
    logs.setup(cfg.log_level)
    return asyncio.run(_serve(cfg))


async def _serve(cfg: Config) -> int:
    from .service import RoomService
    service = RoomService(cfg)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await service.start()
    except Exception as exc:
        with contextlib.suppress(Exception):
            await service.stop()
        print(f"klasse-server: cannot start: {exc}", file=sys.stderr)
        return 1
    from .health import Health
    health = Health(service, cfg.status_port)
    log = logging.getLogger("klasse.server")
    try:
        await health.start()
        if cfg.status_port >= 0:
            log.info("status on http://127.0.0.1:%d/health", health.port)
    except OSError as exc:
        # Lessons matter more than the status page: serve them without it.
        log.error("cannot open the status port %d (%s); running without it",
                  cfg.status_port, exc.strerror or type(exc).__name__)
        await health.start(status=False)
    log.info("klasse-server ready on %s", service.url)
    await stop.wait()
    await health.stop()
    await service.stop()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """0: every Janus node up; 1: the service runs but a node is down; 2: no answer."""
    from .health import fetch_status
    port = args.port if args.port is not None else _config(args).status_port
    if port <= 0:
        raise _Fail("no status port: set status_port in the config or pass --port")
    try:
        report = fetch_status(port)
    except (OSError, ValueError) as exc:
        print(f"klasse-server: the service does not answer on 127.0.0.1:{port} ({exc})",
              file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for node in report["janus"]:
            print(f"janus {node['name']}: {'up' if node['up'] else 'DOWN'}, "
                  f"{node['participants']} participants")
        print(f"rooms: {report['rooms']} ({report['rooms_moving']} moving to another Janus)")
        print(f"participants: {report['participants']} joined, {report['waiting']} waiting, "
              f"{report['publishing']} publishing")
        print(f"recordings in progress: {report['recordings_in_progress']}")
        print(f"janus recoveries: {report['janus_recoveries']}, rooms moved: "
              f"{report['rooms_moved']}, up {report['uptime_s']} s")
    return 0 if report["ok"] else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "user":
            return cmd_user_add(args) if args.user_command == "add" else cmd_user_del(args)
        if args.command == "room":
            return cmd_room_create(args)
        if args.command == "recordings":
            return recordings_cli.run(args)
        if args.command == "status":
            return cmd_status(args)
        return cmd_privacy_report(args)
    except (_Fail, ConfigError, AccountError, ValueError, OSError) as exc:
        print(f"klasse-server: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
