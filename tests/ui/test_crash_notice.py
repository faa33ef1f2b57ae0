"""Jobs cut short by a crash (issue 14): the start that finds them says so once, in one notice for
all of them; the next start says nothing again, and the jobs stay listed as interrupted with Retry."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.app import _after_start
from ideogram_studio.gallery import Gallery
from ideogram_studio.jobs import Job, JobState
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.job_model import JobRole

from .helpers import Studio, close_studio, open_studio, wait_for


def journal_jobs_cut_short(library: Path, prompts: list[str]) -> list[str]:
    """What a studio that died while sending leaves in the journal."""
    gallery = Gallery.open(library)
    try:
        store = GalleryJobStore(gallery)
        jobs = []
        for prompt in prompts:
            request = GenerateRequest(prompt=prompt)
            job = Job(operation=request.operation, request=request, state=JobState.SENDING)
            store.save_job(job)
            jobs.append(job.id)
        return jobs
    finally:
        gallery.close()


def start(qtbot: Any, tmp_path: Path) -> Studio:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    wait_for(qtbot, _after_start(studio.window, studio.window.controller))
    return studio


def test_jobs_cut_short_are_said_once_in_one_notice(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    ids = journal_jobs_cut_short(tmp_path / "library", ["a red kite", "a blue kite"])
    studio = start(qtbot, tmp_path)
    try:
        notice = studio.window.notice
        assert notice.text.startswith("2 jobs were cut short when the studio last stopped.")
        assert "Nothing was sent again" in notice.text
        model = studio.window.controller.jobs_model
        states = {model.job_at(r).id: model.index(r).data(JobRole.STATE) for r in range(model.rowCount())}
        assert states == dict.fromkeys(ids, "interrupted")
    finally:
        close_studio(qtbot, studio)

    again = start(qtbot, tmp_path)
    try:
        assert "cut short" not in again.window.notice.text  # said once: this start found nothing new cut short
        assert {j.id for j in again.jobs() if j.state is JobState.INTERRUPTED} == set(ids)  # still listed
    finally:
        close_studio(qtbot, again)
