"""Entry point of the `klasse` command.

Headless subcommands go to klasse.app.cli without importing Qt, so school IT can
run them on machines without a display; everything else opens the desktop client.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

HEADLESS_COMMANDS = ("join", "blur-preview")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in HEADLESS_COMMANDS and (args[0] != "join" or "--headless" in args):
        from klasse.app.cli import main as cli_main
        return cli_main(args)
    from klasse.ui.main import main as gui_main  # Qt is imported only from here on
    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
