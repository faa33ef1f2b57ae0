"""The composition root: one QApplication, one qasync loop, services built once and passed in,
one crash handler, staged shutdown (jobs, then HTTP client, then index)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from . import APP_ID, APP_NAME, __version__
from .settings import Settings, log_dir

log = logging.getLogger(__name__)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ideogram-studio", description=f"{APP_NAME}: the desktop studio.")
    parser.add_argument("--data-dir", type=Path, help="library folder (default: from settings)")
    parser.add_argument("--settings", type=Path, help="settings file (default: the platform config folder)")
    return parser.parse_args(argv)


def _no_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if _no_display():
        print(
            f"{APP_NAME} needs a graphical display, and none was found (DISPLAY and WAYLAND_DISPLAY are unset). "
            "Start it from a desktop session; for scripts, use `ideogram-studio generate ...`.",
            file=sys.stderr,
        )
        return 1

    from .logs import setup_logging

    try:
        setup_logging(log_dir())
    except OSError as exc:  # a read-only home must not stop the studio; it just logs nowhere
        print(f"warning: cannot write logs to {log_dir()}: {exc.strerror}", file=sys.stderr)

    import qasync
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("IdeogramStudio")
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("IdeogramStudio")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    icon = Path(__file__).parent / "resources" / "icons" / "ideogram-studio.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from .ui.crash import CrashHandler

    crash = CrashHandler()
    crash.install(loop)
    settings_path = args.settings
    settings = Settings.load(settings_path)
    if args.data_dir:
        settings.data_dir = str(args.data_dir)
    try:
        with loop:
            return int(loop.run_until_complete(_run(app, settings, settings_path)))
    finally:
        crash.uninstall()


async def _run(app: object, settings: Settings, settings_path: Path | None) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .gallery import GalleryError, IndexCorruptError, rebuild_index
    from .secrets import KeyringStore
    from .services import Services
    from .ui.dialogs import ask
    from .ui.main_window import MainWindow
    from .ui.studio import StudioController
    from .ui.tasks import TaskRunner

    assert isinstance(app, QApplication)
    closing = asyncio.Event()
    # The window's close starts the shutdown while the loop still runs; the app quits after it.
    app.setQuitOnLastWindowClosed(False)
    app.aboutToQuit.connect(closing.set)
    try:
        services = await Services.start(settings, KeyringStore(), settings_path=settings_path)
    except IndexCorruptError as exc:
        if not await ask(
            "The library index is damaged",
            f"{exc}\n\nRebuild it from the image files? The damaged index is kept aside, not deleted.",
            "Rebuild",
        ):
            return 1
        await asyncio.to_thread(rebuild_index, settings.effective_data_dir)
        services = await Services.start(settings, KeyringStore(), settings_path=settings_path)
    except GalleryError as exc:
        await ask("The library cannot be opened", str(exc), None, icon=QMessageBox.Icon.Critical)
        return 1

    runner = TaskRunner()
    controller = StudioController(services, runner)
    window = MainWindow(controller)
    window.closed.connect(closing.set)
    _quit_on_signals(window)
    window.show()
    window.generate_panel.prompt_edit.setFocus()
    runner.run(_after_start(window, controller), "start-up")
    await closing.wait()

    # Staged shutdown: widgets' tasks, then jobs (journalled), then the HTTP client, then the index.
    await runner.cancel_all()
    controller.close()
    await services.aclose()
    app.quit()
    return 0


def _quit_on_signals(window: object) -> None:
    """SIGINT/SIGTERM close the window, so the shutdown is the same staged one."""
    import signal

    from PySide6.QtWidgets import QWidget

    assert isinstance(window, QWidget)
    loop = asyncio.get_event_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, window.close)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            signal.signal(sig, lambda *_: window.close())


async def _after_start(window: object, controller: object) -> None:
    from .ui.main_window import MainWindow
    from .ui.studio import StudioController

    assert isinstance(window, MainWindow) and isinstance(controller, StudioController)
    recent = await controller.load_recent()
    window.recent_model.set_hashes(recent)
    if recent:
        controller.show_image(recent[0][0])
    controller.refresh_spend()
    log.info(
        "start-up: %d recent results, %d jobs in the journal, %s",
        len(recent),
        len(controller.services.queue.jobs),
        "sandbox" if controller.services.sandbox else "Ideogram API",
    )
    interrupted = [j for j in controller.services.queue.jobs.values() if j.state.value == "interrupted"]
    if interrupted:
        window.statusBar().showMessage(
            f"{len(interrupted)} job(s) were interrupted when the studio last closed. They were not sent "
            "again: select one in Jobs and press Retry to run it.",
            20000,
        )
    await controller.load_preset_previews()
