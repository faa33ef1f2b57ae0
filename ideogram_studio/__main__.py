"""`ideogram-studio`: the studio window, or the scripting CLI when a command is given."""

from __future__ import annotations

import sys

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")


def _is_file_to_open(arg: str) -> bool:
    """A file given to the studio (a file manager's "Open with", a second start): not a command."""
    import os

    return os.path.isfile(arg) or os.sep in arg or "/" in arg or arg.lower().endswith(_IMAGE_SUFFIXES)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = bool(args) and not args[0].startswith("-") and not _is_file_to_open(args[0])
    if command or (args and args[0] in ("--version", "-h", "--help")):
        from .cli import main as cli_main

        return int(cli_main(args))
    from .app import main as app_main

    return int(app_main(args))


if __name__ == "__main__":
    sys.exit(main())
