"""`ideogram-studio`: the studio window, or the scripting CLI when a command is given."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and (not args[0].startswith("-") or args[0] in ("--version", "-h", "--help")):
        from .cli import main as cli_main

        return int(cli_main(args))
    from .app import main as app_main

    return int(app_main(args))


if __name__ == "__main__":
    sys.exit(main())
