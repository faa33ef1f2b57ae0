"""Storage and download trouble in the real window: a billed job's results fetched again with
Retry download (no new request), a full disk said before anything is sent, messages in whole
sentences with their technical side under "Details…"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QToolButton

from ideogram_studio.jobs import JobState
from ideogram_studio.sandbox import Fault
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.common.notice import fit_sentences, headline

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished

GENERATE = "/v1/ideogram-v3/generate"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def test_retry_download_fetches_a_billed_job_without_sending_it_again(qtbot: Any, studio: Studio) -> None:
    studio.sandbox.inject(Fault.truncate())
    qtbot.keyClicks(studio.panel.prompt_edit, "a kite")
    qtbot.mouseClick(studio.panel.generate_button, Qt.MouseButton.LeftButton)
    wait_jobs_finished(qtbot, studio, 1)
    job = studio.jobs()[0]
    assert job.state is JobState.FAILED and job.billed and job.pending_downloads
    # The status bar: whole sentences, the technical part one click away.
    notice = studio.window.notice
    qtbot.waitUntil(lambda: notice.text.startswith("Job failed:"), timeout=5000)  # (after the journal write)
    def plain(text: str) -> str:  # (server words come bidi-isolated)
        return text.replace("\u2068", "").replace("\u2069", "")

    shown = plain(notice.shown_text())
    assert plain(notice.text).endswith(".") and shown.endswith(".")  # whole sentences only
    assert plain(notice.text).startswith(shown)
    studio.window.jobs_panel.select_job(job.id)
    for width, height in ((1280, 720), (1920, 1080)):  # for people to look at (test-artifacts/ is not kept)
        studio.window.resize(width, height)
        QApplication.processEvents()  # the new layout before the grab
        ARTIFACTS.mkdir(exist_ok=True)
        studio.window.grab().save(str(ARTIFACTS / f"retry-download-{width}x{height}.png"))
    details = notice.findChild(QToolButton, "notice-details")
    assert details is not None and details.isVisible()
    box = notice.open_details()
    assert "RemoteProtocolError" in box.detailedText() and box.text() == notice.text
    box.close()
    # Retry download: the same links, no new request.
    panel = studio.window.jobs_panel
    panel.select_job(job.id)
    retry = panel.findChild(QPushButton, "job-retry")
    assert retry is not None and retry.isEnabled() and retry.text() == "Retry download"
    sent = studio.sandbox.requests_seen[GENERATE]
    studio.sandbox.clear_faults()
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: job.state is JobState.DONE, timeout=15000)
    assert len(studio.jobs()) == 1 and len(job.result_hashes) == 1
    assert studio.sandbox.requests_seen[GENERATE] == sent
    assert retry.text() == "Retry"


def test_a_full_disk_is_a_message_before_anything_is_sent(qtbot: Any, studio: Studio) -> None:
    studio.services.gallery.space.min_free_bytes = 10**18
    qtbot.keyClicks(studio.panel.prompt_edit, "a kite")
    qtbot.mouseClick(studio.panel.generate_button, Qt.MouseButton.LeftButton)
    notice = studio.window.notice
    qtbot.waitUntil(lambda: "disk holding your library is full" in notice.text, timeout=10000)
    assert "Nothing was sent" in notice.text and not studio.jobs()
    assert studio.sandbox.requests_seen[GENERATE] == 0


def test_sentences_are_never_cut() -> None:
    text = "The disk is full (/a/b): 0 bytes free. Free some space. Then press Retry download."
    assert fit_sentences(text, lambda t: len(t) <= 45) == "The disk is full (/a/b): 0 bytes free."
    assert fit_sentences(text, lambda t: len(t) <= 60) == "The disk is full (/a/b): 0 bytes free. Free some space."
    assert fit_sentences(text, lambda t: True) == text
    assert fit_sentences(text, lambda t: len(t) <= 10) is None
    assert headline("Job failed: the disk is full.") == "Job failed."
