"""Start-up holds its log records until the prompt takes typing (logs.hold_records), then opens the
log file and writes them there, in order and redacted (logs.write_held_records); nothing is lost
and nothing goes to stderr meanwhile."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.logs import hold_records, register_secret, write_held_records


@pytest.fixture
def root_restored() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def test_held_records_reach_the_file_in_order_and_redacted(
    tmp_path: Path, root_restored: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    register_secret("sk-held-secret-1234")
    hold_records()
    hold_records()  # (twice: still one holder, each record written once)
    log = logging.getLogger("ideogram_studio.test")
    log.info("privacy: a folder is now private")
    log.warning("a key sk-held-secret-1234 pasted into a prompt")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("a crash before the log file was open")
    assert not (tmp_path / "log").exists()  # nothing written yet

    path = write_held_records(tmp_path / "log")
    log.info("after the file is open")

    assert path == tmp_path / "log" / "ideogram-studio.log"
    lines = path.read_text("utf-8")
    expected = ("privacy: a folder", "a key [redacted] pasted", "a crash before", "ValueError: boom", "after the file")
    order = [lines.index(text) for text in expected]
    assert order == sorted(order)
    assert "sk-held-secret-1234" not in lines
    assert lines.count("privacy: a folder") == 1
    assert write_held_records(tmp_path / "log") is None  # once
    assert capsys.readouterr().err == ""  # (the warning and the traceback were held, not printed)


def test_nothing_held_means_nothing_opened(tmp_path: Path, root_restored: logging.Logger) -> None:
    assert write_held_records(tmp_path / "log") is None
    assert not (tmp_path / "log").exists()
