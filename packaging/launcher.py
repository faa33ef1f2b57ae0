"""PyInstaller's entry script for the Ideogram Studio bundle: the same `main` as the
`ideogram-studio` console script (the studio window, or the scripting CLI when a command is given)."""

from __future__ import annotations

import sys

from ideogram_studio.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
