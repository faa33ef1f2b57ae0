"""What outlives the window must not call into it once it is gone: the controller, its runner and its
job list live until the services close, and a job or a refresh finishing while the window is being
deleted (a quit mid-job, a test's teardown) still emits. Connections to the window are made to its
methods (Qt drops them when the window is destroyed), never to lambdas that call into it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import shiboken6

from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.jobs.model import Job
from ideogram_studio.secrets import MemoryStore

from .helpers import close_studio, open_studio


def test_the_controllers_signals_after_the_window_is_gone_call_nothing_in_it(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    window, controller = studio.window, studio.window.controller
    close_studio(qtbot, studio)
    late = GenerateRequest(prompt="late")
    job = Job(operation=late.operation, request=late)
    shiboken6.delete(window)  # as Qt deletes it at quit, the controller still alive
    request.node.qt_widgets = []  # pytest-qt would close it again at teardown
    assert not shiboken6.isValid(window)
    # Each would raise "Internal C++ object (MainWindow) already deleted" in a slot (pytest-qt fails
    # the test on an exception raised in a Qt slot).
    controller.message.emit("a refresh that finished late")
    controller.runner.failed_with_detail.emit("Refresh", "it failed late", "")
    controller.jobs_model.result_stored.emit(job, "0" * 64, 0)
