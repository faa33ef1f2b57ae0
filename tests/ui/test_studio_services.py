"""The studio's plumbing: the Sandbox badge follows the key, preset previews are cached in the
gallery and come back after a restart, bugs reach the crash handler, logs never hold the key."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from ideogram_studio.api.enums import StylePreset
from ideogram_studio.logs import RedactingFilter, register_secret
from ideogram_studio.sandbox import SandboxConfig, create_app
from ideogram_studio.sandbox.server import serve_in_thread
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import Settings
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.shell.crash import CrashHandler

from .helpers import close_studio, open_studio, wait_for, wait_jobs_finished


def test_saving_a_key_removes_the_sandbox_badge(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    secrets = MemoryStore()
    with serve_in_thread(create_app(SandboxConfig())) as url:
        studio = open_studio(qtbot, tmp_path, secrets, Settings(data_dir=str(tmp_path / "lib"), api_base=url))
        try:
            assert studio.window.sandbox_badge.isVisible()
            dialog = studio.window.show_settings()
            qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)  # the keyring answers in a worker
            qtbot.keyClicks(dialog.key_edit, "my-new-key-1234")
            assert dialog.save_key()
            qtbot.waitUntil(lambda: not studio.services.sandbox, timeout=5000)
            qtbot.waitUntil(lambda: not studio.window.sandbox_badge.isVisible(), timeout=5000)
            assert "Sandbox" not in studio.window.windowTitle()
            assert secrets.get() == "my-new-key-1234"
            # The next job goes to the configured API (our socket sandbox), with the new key.
            studio.panel.set_prompt("after the key")
            studio.panel.submit()
            wait_jobs_finished(qtbot, studio, 1)
            assert studio.jobs()[0].state.value == "done"
            qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
            assert dialog.remove_key()
            qtbot.waitUntil(lambda: studio.window.sandbox_badge.isVisible(), timeout=5000)
        finally:
            close_studio(qtbot, studio)


def test_preset_previews_are_cached_and_reused_after_a_restart(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    picker = studio.panel.preset_picker()
    store = picker.preview_store()
    assert not store.has_preview(StylePreset.WATERCOLOR)  # a placeholder tile until a real one exists
    picker.previews_requested.emit("a fox in the snow", [StylePreset.WATERCOLOR, StylePreset.BAUHAUS])
    wait_jobs_finished(qtbot, studio, 2)
    qtbot.waitUntil(
        lambda: store.has_preview(StylePreset.BAUHAUS) and store.has_preview(StylePreset.WATERCOLOR), timeout=5000
    )
    close_studio(qtbot, studio)

    again = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        fresh = again.panel.preset_picker().preview_store()
        assert not fresh.has_preview(StylePreset.WATERCOLOR)
        wait_for(qtbot, again.window.controller.load_preset_previews())
        assert fresh.has_preview(StylePreset.WATERCOLOR) and fresh.has_preview(StylePreset.BAUHAUS)
        assert not fresh.has_preview(StylePreset.POP_ART)
        assert again.jobs() and len(again.jobs()) == 2  # nothing was generated again
    finally:
        close_studio(qtbot, again)


def test_bugs_in_tasks_reach_the_crash_handler(qtbot: Any, qloop: asyncio.AbstractEventLoop) -> None:
    crash = CrashHandler()
    crash.show_dialogs = False
    crash.install(qloop)
    try:
        runner = TaskRunner()
        failures: list[tuple[str, str]] = []
        runner.failed.connect(lambda title, text: failures.append((title, text)))

        async def bug() -> None:
            raise ZeroDivisionError("a bug")

        async def expected() -> None:
            raise OSError(28, "No space left on device")

        runner.run(bug(), "generate-preview")
        runner.run(expected(), "save-result")
        qtbot.waitUntil(lambda: bool(crash.reports) and bool(failures), timeout=3000)
        assert "ZeroDivisionError" in crash.reports[0]
        assert failures == [("Save result", "No space left on device.")]  # the errno goes to "Details…"
        qloop.call_soon(lambda: 1 / 0)  # a plain callback's error too
        qtbot.waitUntil(lambda: len(crash.reports) == 2, timeout=3000)
    finally:
        crash.uninstall()


def test_logs_never_hold_the_key(tmp_path: Path) -> None:
    key = "ideo-secret-abcdef123456"
    register_secret(key)
    path = tmp_path / "test.log"
    handler = logging.FileHandler(path)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("redaction-test")
    logger.addHandler(handler)
    try:
        logger.warning("request failed with key %s", key)
        logger.warning("headers: {'Api-Key': 'another-unregistered-key'}")
        try:
            raise RuntimeError(f"boom {key}")
        except RuntimeError:
            logger.exception("with traceback")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = path.read_text()
    assert key not in text and "another-unregistered-key" not in text
    assert text.count("[redacted]") >= 3
