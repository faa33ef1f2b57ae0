"""The composition root: one QApplication, one qasync loop, services built once and passed in,
one crash handler, staged shutdown (jobs, then HTTP client, then index).

Start-up puts the window on screen first: a light shell (Qt alone) is shown before the event loop's
own modules load (the display maps it meanwhile); once its first frame is painted, the library
and the studio's modules come, and the shell is filled in (`MainWindow.attach`). The keyring is
looked into after that, in the background (ui/shell/key_link.py): the start never waits on it.
Nothing slow (asyncio, the services, the panels) is imported before that first frame.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import APP_ID, APP_NAME
from .private_files import tighten, use_private_umask
from .resources import resource_path
from .settings import Settings, config_dir, log_dir

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QApplication, QWidget

    from .secrets import SecretStore
    from .services import Services
    from .ui.modes.mode_panel import ModePanel
    from .ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
#: The longest the studio waits for its window's first frame before it starts filling it in.
FIRST_PAINT_WAIT = 1.0


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ideogram-studio", description=f"{APP_NAME}: the desktop studio.")
    parser.add_argument("--data-dir", type=Path, help="library folder (default: from settings)")
    parser.add_argument("--settings", type=Path, help="settings file (default: the platform config folder)")
    parser.add_argument("files", nargs="*", type=Path, help="image files to import into the library and show")
    return parser.parse_args(argv)


def _display_problem() -> str | None:
    """Why no window can be shown (Linux/BSD: no usable X11 or Wayland display), or None.

    Checked before Qt starts: Qt would abort the process (no traceback, but no clear reason either).
    An explicit QT_QPA_PLATFORM (offscreen, wayland, xcb, ...) is trusted as it is."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    x11, wayland = os.environ.get("DISPLAY", ""), os.environ.get("WAYLAND_DISPLAY", "")
    if not (x11 or wayland):
        return (
            f"{APP_NAME} needs a graphical display, and none was found (DISPLAY and WAYLAND_DISPLAY are unset). "
            "Start it from a desktop session; for scripts, use `ideogram-studio generate ...`."
        )
    if wayland:
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        socket_path = Path(wayland) if os.path.isabs(wayland) else Path(runtime, wayland)
        if socket_path.exists():
            return None
    if x11 and _x11_reachable(x11):
        return None
    where = " or ".join(f"{name}={value}" for name, value in (("DISPLAY", x11), ("WAYLAND_DISPLAY", wayland)) if value)
    return (
        f"{APP_NAME} cannot connect to the display ({where}): is the desktop session still running? "
        "For scripts, use `ideogram-studio generate ...`."
    )


def _x11_reachable(display: str) -> bool:
    """Connect to the X server the way Qt's xcb plugin will (libxcb: socket, auth); True if unsure."""
    import ctypes

    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # no libxcb to ask: let Qt try
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(conn) and xcb.xcb_connection_has_error(conn) == 0
    finally:
        if conn:
            xcb.xcb_disconnect(conn)


def _data_dir_problem(folder: Path) -> str | None:
    """Why the library folder cannot be used (missing and not creatable, or not writable), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        return (
            f"The library folder {folder} cannot be written: {exc.strerror or exc}. "
            "Fix its permissions, or start the studio with --data-dir pointing at a folder you can write to."
        )
    return None


def _tell(title: str, text: str, *, window: bool) -> None:
    """One clear line on stderr (no traceback) and, where a display exists, a message box.

    Only before the qasync loop runs (a modal box inside a coroutine breaks the loop)."""
    print(f"ideogram-studio: error: {text}", file=sys.stderr, flush=True)
    if _logging_ready():
        log.error("start-up: %s", text)
    if window:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, title, text)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    try:
        return _main(args)
    except Exception as exc:  # a bug: the traceback goes to the log (if any), one line to stderr
        where = ""
        if _logging_ready():
            log.exception("the studio stopped")
            if _open_log():
                where = f" The details are in the log, in {log_dir()}."
        print(f"ideogram-studio: error: the studio stopped: {type(exc).__name__}: {exc}.{where}", file=sys.stderr)
        return 70  # EX_SOFTWARE
    finally:
        gc.enable()  # (see _main)
        _open_log()  # what a start that stopped early logged (else done once the prompt took typing)


def _logging_ready() -> bool:
    """True once logging is set up (records held or written): before that, logging would print to
    stderr (tracebacks too)."""
    return bool(logging.getLogger().handlers)


def _open_log() -> bool:
    """The log file opened and what was held written to it (once; later calls only say whether
    there is a log file). False: none (a read-only home must not stop the studio; it logs nowhere)."""
    from .logs import write_held_records

    try:
        write_held_records(log_dir())
    except OSError as exc:
        print(f"warning: cannot write logs to {log_dir()}: {exc.strerror}", file=sys.stderr)
        return False
    return any(isinstance(h, logging.FileHandler) for h in logging.getLogger().handlers)


def _main(args: argparse.Namespace) -> int:
    # No cyclic garbage collection until the prompt takes typing (_run_loops): start-up makes ~40,000
    # long-lived objects (modules, classes, enums, widgets) and hardly any garbage (~50 objects in
    # cycles); collecting among them as they came cost ~10 ms (about 65 collections) before the
    # prompt took typing. They are then frozen (gc.freeze): no later collection scans them again.
    gc.disable()
    # Before anything is created: the library, logs, settings and window state are the designer's alone.
    use_private_umask()
    settings_path = args.settings
    settings = Settings.load(settings_path)
    if args.data_dir:
        settings.data_dir = str(args.data_dir)
    # Checked before Qt starts, so that without a display both problems reach stderr.
    display_problem = _display_problem()
    data_problem = _data_dir_problem(settings.effective_data_dir)
    if display_problem:
        _tell("No display", display_problem, window=False)
        if data_problem:
            _tell("The library folder cannot be used", data_problem, window=False)
        return 1

    from .logs import hold_records

    # Records are kept in memory until the prompt takes typing, then written to the log file
    # (_open_log): opening it brings modules the first frame does not need.
    hold_records()
    # Folders an older version left readable by others (it logs a note when it changes anything).
    settings_file = settings_path or config_dir() / "settings.json"
    tighten([config_dir(), settings_file, log_dir(), settings.effective_data_dir])

    from PySide6.QtWidgets import QApplication

    from .ui.common.pyside_imports import cheapen_feature_check

    cheapen_feature_check()  # (before the studio's modules: PySide's check of each costs more than reading it)
    from .ui.common import theme

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0], *theme.APP_ARGUMENTS])
        theme.made_with_fusion()
    assert isinstance(app, QApplication)
    app.setApplicationName("IdeogramStudio")
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("IdeogramStudio")
    app.setDesktopFileName(APP_ID)
    # Before the first frame (a palette costs no more than the default one): the designer's choice,
    # or light or dark as the desktop says, following it.
    theme.apply_theme(app, theme.as_choice(settings.theme))
    if data_problem:
        _tell("The library folder cannot be used", data_problem, window=True)
        return 1
    # One studio per library: a second start hands its files to the running window and quits.
    from .ui.shell.single_instance import hand_over

    if hand_over(settings.effective_data_dir, args.files):
        print(f"ideogram-studio: the library {settings.effective_data_dir} is already open in a window: "
              "brought it to the front" + (f" with {len(args.files)} file(s) to import." if args.files else "."),
              file=sys.stderr, flush=True)
        return 0

    # The window first, as a light shell, on screen before the event loop's own modules load. The
    # window's close starts the shutdown while the loop still runs; the app quits after it.
    from .ui.shell.main_window import MainWindow

    app.setQuitOnLastWindowClosed(False)
    window = MainWindow()
    window.show()
    _first_frame(app, window)
    # Then the restored mode's panel, which takes typing while the services start (its requests wait).
    panel = window.open_frame(settings, rows_later=True)  # (its rows once the prompt is painted: _run_loops)
    (panel.prompt_edit or panel).setFocus()
    return _run_loops(app, window, settings, settings_path, args.files, panel)


def _run_loops(
    app: QApplication,
    window: MainWindow,
    settings: Settings,
    settings_path: Path | None,
    files: list[Path],
    panel: ModePanel,
) -> int:
    """Qt's event loop at once, so the focused prompt takes typing; once it is painted, the rest of
    the panel's form (its rows: ModePanel.rows_left) a part per turn of the loop, then asyncio and
    qasync (~30 ms of imports) load in a worker thread, and then the asyncio loop joins the running
    Qt loop (qasync's `already_running`) and runs the studio (`_run`) until it has shut down. Nothing
    the panel asks for needs asyncio before then: its requests wait in the window's gate."""
    import threading

    from PySide6.QtCore import QEventLoop, QObject, Signal, Slot

    from .ui.common.in_steps import in_turns
    from .ui.shell.crash import CrashHandler

    crash = CrashHandler()
    crash.install_excepthook()
    started: dict[str, Any] = {}

    class AsyncioStart(QObject):
        #: From the worker: None once asyncio and qasync are imported, else what the import raised.
        imported = Signal(object)

        @Slot(object)
        def start(self, error: BaseException | None) -> None:  # (on the GUI thread: a queued call)
            _open_log()  # (the prompt took typing a while ago: see _main)
            gc.freeze()  # (a first collection would scan every object start-up made: ~15-30 ms)
            gc.enable()
            if error is not None:
                started["error"] = error
                app.exit(1)
                return
            import asyncio

            import qasync

            loop = qasync.QEventLoop(app, already_running=True)
            asyncio.set_event_loop(loop)
            crash.install(loop)
            task = loop.create_task(_run(app, window, settings, settings_path, files))
            task.add_done_callback(lambda _task: loop.stop())  # (stop() ends app.exec())
            started.update(loop=loop, task=task)

    def import_asyncio() -> None:
        try:
            import asyncio  # noqa: F401

            import qasync  # noqa: F401
        except BaseException as exc:  # handed to the GUI thread, which raises it
            starter.imported.emit(exc)
        else:
            starter.imported.emit(None)

    starter = AsyncioStart()
    starter.imported.connect(starter.start)
    worker = threading.Thread(target=import_asyncio, name="import-asyncio", daemon=True)
    rows = panel.rows_left()
    after_paint = (lambda: in_turns(rows, panel, worker.start)) if rows is not None else worker.start
    _after_first_paint(panel.prompt_edit or panel, after_paint)
    try:
        app.exec()
        loop, task = started.get("loop"), started.get("task")
        if loop is None or task is None:
            raise started.get("error") or RuntimeError("the event loop stopped before the studio started")
        with loop:
            app.eventDispatcher().processEvents(QEventLoop.ProcessEventsFlag.AllEvents)  # (as qasync does last)
            if not task.done():
                raise RuntimeError("Event loop stopped before Future completed.")
            return int(task.result())
    finally:
        crash.uninstall()


async def _run(
    app: object, window: MainWindow, settings: Settings, settings_path: Path | None, files: list[Path] | None = None
) -> int:
    import asyncio

    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    _set_window_icon(app)
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    window.closed.connect(closing.set)
    if not window.isVisible():  # closed by the window manager before the loop ran
        closing.set()
    _quit_on_signals(window)
    # The services' modules (keyring, httpx, the library) load off the GUI thread: the panel takes typing.
    await asyncio.to_thread(_preload_services)
    from . import __version__  # (read from the package's metadata, loaded by _preload_services)

    app.setApplicationVersion(__version__)

    from .secrets import KeyringStore

    # The keyring is not asked now (a locked or fresh one may prompt): the studio starts on the
    # environment's key or the sandbox, and the window's key link looks into it in the background.
    secrets = KeyringStore()
    services = await _start_services(window, settings, secrets, settings_path, files or [])
    if isinstance(services, int):  # could not open the library, or handed over to its window
        window.close()
        return services
    if closing.is_set():
        await services.aclose()
        return 0

    from .ui.common.task_runner import TaskRunner
    from .ui.shell.controller import StudioController

    runner = TaskRunner()
    controller = StudioController(services, runner)
    window.attach(controller)
    runner.run(_after_start(window, controller), "start-up")
    from .ui.shell.single_instance import InstanceServer

    instance = InstanceServer(settings.effective_data_dir, window)
    instance.activated.connect(lambda paths: _bring_forward(window, [Path(p) for p in paths]))
    instance.listen()
    if files:
        _bring_forward(window, files)
    await closing.wait()
    instance.close()

    # Staged shutdown: widgets' tasks, then jobs (journalled), then the HTTP client, then the index.
    await runner.cancel_all()
    if window.has_library():
        window.library.shutdown()
    controller.close()
    await services.aclose()
    app.quit()
    return 0


def _after_first_paint(widget: QWidget, then: Callable[[], None]) -> None:
    """`then()` once `widget` has been painted (at the latest after FIRST_PAINT_WAIT seconds): a worker
    thread started then takes no GIL time from the first paint of the prompt."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QAbstractScrollArea

    done = False

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, go)  # (once this paint is done)
            return False

    def go() -> None:
        nonlocal done
        if not done:
            done = True
            target.removeEventFilter(watcher)
            then()

    target = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
    watcher = Painted(target)
    target.installEventFilter(watcher)
    QTimer.singleShot(int(FIRST_PAINT_WAIT * 1000), go)


def _set_window_icon(app: QApplication) -> None:
    """The studio's icon for its windows: once the prompt takes typing (the SVG is drawn in several
    sizes for the window system, ~4 ms; the desktop file names the same icon meanwhile)."""
    from PySide6.QtGui import QIcon

    icon = resource_path("icons", "ideogram-studio.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))


def _preload_services() -> None:
    """Import what the services need (run in a worker thread, while the GUI thread takes typing).

    Only Qt-free modules: keyring, the library (SQLite), the API client (httpx) and the job queue.
    Python imports one module at a time across threads (the GUI thread waits only if it imports the
    same module meanwhile), and the GIL changes hands every few milliseconds, so input is handled."""
    import importlib

    from . import __version__  # noqa: F401  (importlib.metadata and the email parser it brings)

    for name in ("keyring", "ideogram_studio.secrets", "ideogram_studio.services", "ideogram_studio.batch.plan"):
        importlib.import_module(name)


def _first_frame(app: object, window: MainWindow) -> None:
    """Handle the window system's events until the shown window's first frame is painted (at most
    FIRST_PAINT_WAIT seconds: a window that is not exposed, e.g. minimised, does not hold the start).

    Before the event loop exists, so only the window system's and Qt's own posted events are
    handled: no timer fires and no input is delivered (both wait for the loop), so none of the
    program's callbacks runs early. Everything slow comes after this frame and holds the GUI thread
    for a while: the window is on screen meanwhile."""
    import time

    from PySide6.QtCore import QEvent, QEventLoop, QObject
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    painted = False

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            nonlocal painted
            painted = painted or event.type() == QEvent.Type.Paint
            return False

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)
    only_the_window_system = (
        QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents | QEventLoop.ProcessEventsFlag.X11ExcludeTimers
    )
    deadline = time.monotonic() + FIRST_PAINT_WAIT
    try:
        while not painted and time.monotonic() < deadline:
            app.processEvents(only_the_window_system)
            if not painted:
                time.sleep(0.001)  # the display answers in a few ms
        app.processEvents(only_the_window_system)  # what the paint posted: the frame is then out
    finally:
        window.removeEventFilter(watcher)
        watcher.deleteLater()
    if not painted:
        log.info("the window was not painted within %.1f s: the studio starts anyway", FIRST_PAINT_WAIT)


def _bring_forward(window: MainWindow, files: list[Path]) -> None:
    """What a second start on this library asked for: this window in front, its files imported."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    existing = [f for f in files if f.exists()]
    library = getattr(window, "library", None)
    if existing and library is not None:
        library.show_library(True)
        library.page.import_paths(existing)


async def _start_services(
    window: MainWindow, settings: Settings, secrets: SecretStore, settings_path: Path | None,
    files: list[Path] | None = None,
) -> Services | int:
    """The services (library index, client, jobs); a damaged index is rebuilt if the designer
    agrees. An int is the exit status instead: 1, the library cannot be opened (said on stderr and
    in a message); 0, another studio has it open and took this start's files."""
    import asyncio

    from PySide6.QtWidgets import QMessageBox

    from .gallery import GalleryError, IndexCorruptError, LibraryInUseError, LibraryLock, rebuild_index
    from .services import Services
    from .ui.common.dialogs import ask
    from .ui.shell.single_instance import hand_over

    try:
        try:
            return await Services.start(settings, secrets, settings_path=settings_path)
        except IndexCorruptError as exc:
            if not await ask(
                "The library index is damaged",
                f"{exc}\n\nRebuild it from the image files? The damaged index is kept aside, not deleted.",
                "Rebuild",
                parent=window,
            ):
                return 1
            window.set_opening_text("Rebuilding the library index…")
            def rebuild_holding_the_lock() -> None:  # (no other studio may open it meanwhile)
                with LibraryLock(settings.effective_data_dir):
                    rebuild_index(settings.effective_data_dir)

            await asyncio.to_thread(rebuild_holding_the_lock)
            window.set_opening_text()
            return await Services.start(settings, secrets, settings_path=settings_path)
    except LibraryInUseError as exc:
        # Started at the same moment as another window (or a script is writing to the library).
        if exc.holder.get("kind") != "cli" and hand_over(settings.effective_data_dir, files or []):
            print(f"ideogram-studio: {exc} Brought it to the front.", file=sys.stderr, flush=True)
            return 0
        print(f"ideogram-studio: error: {exc}", file=sys.stderr, flush=True)
        await ask("The library is in use", str(exc), None, icon=QMessageBox.Icon.Warning, parent=window)
        return 1
    except GalleryError as exc:
        print(f"ideogram-studio: error: the library cannot be opened: {exc}", file=sys.stderr, flush=True)
        await ask("The library cannot be opened", str(exc), None, icon=QMessageBox.Icon.Critical, parent=window)
        return 1


def _quit_on_signals(window: object) -> None:
    """SIGINT/SIGTERM close the window, so the shutdown is the same staged one."""
    import asyncio
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
    from .ui.shell.controller import StudioController
    from .ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow) and isinstance(controller, StudioController)
    window.keys.start()  # the keyring, in the background: the window is usable meanwhile
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
    # Only the jobs this start found cut short (once; a clean close leaves none).
    interrupted = controller.services.queue.recovered
    if interrupted:
        n = len(interrupted)
        downloads = sum(1 for j in interrupted if j.pending_downloads)
        text = (
            f"{'One job was' if n == 1 else f'{n} jobs were'} cut short when the studio last stopped. "
            "Nothing was sent again: see Jobs."
        )
        if downloads:
            text += " Retry download fetches results already paid for, at no new charge."
        window.show_notice(text)
    _warn_if_disk_full(window, controller)
    await controller.load_preset_previews()
    # The other modes' panels, the preset picker and the library page (0.1-0.6 s of widgets each) are
    # made in the designer's quiet moments, so that each then opens at once (and a team library starts
    # its live updates); asked for sooner, each is made then.
    from .ui.shell.idle_build import IdleBuilder, studio_jobs

    # Once all is made, what was made is frozen for the garbage collector too (as start-up's objects
    # are: _run_loops): else every full collection scans it all — measured 64-70 ms with the GIL held,
    # in whichever thread allocated last (a library search's), while the GUI thread waits.
    IdleBuilder(window, studio_jobs(window), when_done=gc.freeze)


def _warn_if_disk_full(window: object, controller: object) -> None:
    """A library on a disk with no room says so at start, before anything is sent."""
    from .gallery.errors import human_bytes
    from .ui.shell.controller import StudioController
    from .ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow) and isinstance(controller, StudioController)
    space = controller.services.gallery.space
    free = space.free()
    if free is not None and free < space.needed(1):
        window.show_notice(
            f"The disk holding your library is full ({space.root}): {human_bytes(free)} free. Free some space "
            "before you generate: nothing is sent until there is room for the results."
        )
