"""Logging to the platform log folder, with every known secret redacted before it is written.

The key should never reach a log in the first place (the client never formats headers into
messages); the redacting filter is the second line of defence, for a key pasted into a prompt
or echoed back by a server.

At start-up the studio holds its records (`hold_records`) and opens the file once the prompt takes
typing (`write_held_records`): the rotating file handler's module brings sockets and pickling
(~6 ms before the first frame otherwise), and nothing is lost meanwhile.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from .private_files import PRIVATE_FILE_MODE, make_private_dir

_secrets: set[str] = set()
_HEADER = re.compile(r"(?i)(api-key['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)")


def register_secret(value: str | None) -> None:
    """Remember a secret so that no log line ever contains it."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "[redacted]")
    return _HEADER.sub(r"\1[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, so the handler never sees the raw text.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


def setup_logging(folder: Path, *, level: int = logging.INFO) -> Path:
    """Log to <folder>/ideogram-studio.log (rotated, 5 × 2 MB). Returns the log file path."""
    make_private_dir(folder)  # logs hold crash reports and prompts: 0700, files 0600
    path = folder / "ideogram-studio.log"
    import logging.handlers  # (here: see hold_records)

    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    if os.name != "nt":
        os.chmod(path, PRIVATE_FILE_MODE)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    # httpx logs every request URL at INFO; result links carry signatures, keep them out.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path


class _Held(logging.Handler):
    """Keeps the records logged before the log file is open (see hold_records)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def hold_records(*, level: int = logging.INFO) -> None:
    """Keep what is logged from now on in memory, at `level` and above (nothing goes to stderr),
    until `write_held_records` opens the log file and writes it there, in order."""
    root = logging.getLogger()
    if not any(isinstance(h, _Held) for h in root.handlers):
        root.setLevel(level)
        root.addHandler(_Held())


def write_held_records(folder: Path, *, level: int = logging.INFO) -> Path | None:
    """setup_logging(folder), then what was held is handed to it (redacted as it is written).
    Once: later calls, or a call without records held, return None. Raises OSError as
    setup_logging does (the held records are then dropped: the studio logs nowhere)."""
    root = logging.getLogger()
    held = [h for h in root.handlers if isinstance(h, _Held)]
    if not held:
        return None
    for handler in held:
        root.removeHandler(handler)
    path = setup_logging(folder, level=level)
    for handler in held:
        for record in handler.records:
            root.handle(record)
    return path
