"""Entry point of the `klasse` command.

Headless subcommands go to klasse.app.cli without importing Qt, so school IT can
run them on machines without a display; everything else opens the desktop client.
`--help` and `--version` answer here, before anything heavy is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

HEADLESS_COMMANDS = ("join", "blur-preview")

# Every way to start `klasse`; tests/unit/test_launcher.py keeps it in step with the
# parsers of the window (ui/main.py) and of the headless subcommands (app/cli.py).
USAGE = """\
usage: klasse [LINK] [--name NAME] [--language {en,de,nl}]
       klasse join LINK --headless [--name NAME] [--pin PIN] [--camera SRC] [--mic SRC]
                   [--speaker DEV] [--noise-suppression {on,off}] [--auto-gain {on,off}]
                   [--screen SRC]
                   [--blur {on,off}] [--notice {accept,audio-only,decline}]
                   [--duration SECONDS]
       klasse blur-preview INPUT OUTPUT [--mode {off,blur,replace,full}]
       klasse --version | --help

Klasse video lessons.

modes:
  klasse [LINK]           open the window (optionally on a klasse:// lesson link)
    --name NAME           prefill your name
    --language LANG       en, de or nl instead of the system language for this run
  klasse join LINK --headless
                          join without a window: commands as JSON lines on stdin,
                          events on stdout (docs/headless.md); `klasse join --help`
  klasse blur-preview INPUT OUTPUT
                          run an image or video through the call's background blur;
                          `klasse blur-preview --help`

options:
  -h, --help              show this help and exit
  --version               show the version and build and exit

The machine policy (server, recording, locked preferences) is read from
/etc/klasse/policy.conf on Linux, HKLM\\SOFTWARE\\Policies\\Klasse on Windows and
managed preferences (org.klasse.Klasse) on macOS; see docs/deploy.md.
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0
    if args and args[0] == "--version":
        from klasse.app.version import version_text
        print(version_text())
        return 0
    if args and args[0] in HEADLESS_COMMANDS and (args[0] != "join" or "--headless" in args):
        from klasse.app.cli import main as cli_main
        return cli_main(args)
    from klasse.ui.main import main as gui_main  # Qt is imported only from here on
    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
