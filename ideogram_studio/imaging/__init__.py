"""Qt-free image logic the modes share: masks and their polarity, source preparation, palette
extraction from an image, reframe placement. Pillow only; no PySide6 (import-linter enforces it)."""
