"""The studio window: modes on the left, the mode's panel, the result viewer with the strip of
recent results, and the jobs panel. Layout and last-used values persist across restarts."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, __version__
from ..api.requests import GenerateRequest
from .generate_panel import GeneratePanel
from .jobs_panel import JobsPanel
from .results_strip import RecentResultsModel, ResultsStrip
from .settings_dialog import SettingsDialog
from .studio import StudioController
from .thumbnails import ThumbnailCache
from .viewer import ImageViewer

MODES = (
    ("generate", "Generate", "Make images from a prompt"),
    ("remix", "Remix", "Make new images from an image and a prompt"),
    ("edit", "Edit", "Paint a mask and change only that part"),
    ("face-swap", "Face swap", "Paint the face and give a character reference"),
    ("reframe", "Reframe", "Extend an image to a new size"),
    ("replace-background", "Background", "Keep the subject, paint a new background"),
)
SANDBOX_STYLE = (
    "QLabel#sandbox-badge { background: #e37400; color: white; border-radius: 9px; padding: 2px 10px;"
    " font-weight: 600; }"
)


class MainWindow(QMainWindow):
    #: The window was closed: the app shuts down (jobs journalled, client and index closed).
    closed = Signal()

    def __init__(
        self, controller: StudioController, parent: QWidget | None = None, *, ui_settings: QSettings | None = None
    ) -> None:
        super().__init__(parent)
        #: Layout and last-used values (never the key); the platform's QSettings by default.
        self._ui_settings = ui_settings
        self.controller = controller
        self.services = controller.services
        self._settings_dialog: SettingsDialog | None = None
        self.setWindowTitle(APP_NAME)
        self.setObjectName("main-window")
        self._setup_ui()
        self._connect()
        self._restore()

    # ---- public ------------------------------------------------------------------------------
    def current_mode(self) -> str:
        page = self._stack.currentWidget()
        return page.objectName().removeprefix("mode-") if page is not None else "generate"

    def set_mode(self, mode: str) -> None:
        for action in self._mode_group.actions():
            if action.data() == mode:
                action.trigger()

    def show_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.services.settings, self.services.secrets, self, self.services.settings_path)
        dialog.key_changed.connect(lambda _saved: self.controller.runner.run(self.controller.reconnect(), "reconnect"))
        dialog.settings_changed.connect(lambda: self.controller.runner.run(self.controller.reconnect(), "reconnect"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._settings_dialog = dialog
        dialog.open()
        return dialog

    # ---- set-up ------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.resize(1400, 900)
        self.setStyleSheet(SANDBOX_STYLE)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        # Modes along the left edge.
        modes = QToolBar("Modes", self)
        modes.setObjectName("modes-toolbar")
        modes.setMovable(False)
        modes.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        modes.setOrientation(Qt.Orientation.Vertical)
        self._mode_group = QActionGroup(self)
        for i, (key, label, tip) in enumerate(MODES):
            action = QAction(label, self, checkable=True)
            action.setData(key)
            action.setShortcut(QKeySequence(f"Alt+{i + 1}"))
            action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
            self._mode_group.addAction(action)
            modes.addAction(action)
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, modes)

        # The mode's panel.
        self.generate_panel = GeneratePanel(self)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._scrolled(self.generate_panel, "mode-generate"))
        for key, label, tip in MODES[1:]:
            self._stack.addWidget(self._placeholder(key, label, tip))

        # Viewer + strip of recent results.
        self.viewer = ImageViewer(self)
        self.viewer.set_empty_text("Results appear here", "Write a prompt and press Ctrl+Enter")
        self.thumbnails = ThumbnailCache(self.services.gallery, 256, parent=self)
        self.recent_model = RecentResultsModel(self.thumbnails, self)
        self.strip = ResultsStrip(self.recent_model, parent=self)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.viewer, 1)
        centre_layout.addWidget(self.strip)

        self._splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._splitter.setObjectName("main-splitter")
        self._splitter.addWidget(self._stack)
        self._splitter.addWidget(centre)
        self._splitter.setStretchFactor(1, 1)
        self._splitter.setSizes([440, 960])
        self._stack.setMinimumWidth(380)
        self.setCentralWidget(self._splitter)

        # Jobs on the right, as a dock so designers can move or hide it.
        self.jobs_panel = JobsPanel(self.controller.jobs_model, self)
        dock = QDockWidget("Jobs", self)
        dock.setObjectName("jobs-dock")
        dock.setWidget(self.jobs_panel)
        dock.setMinimumWidth(280)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self._jobs_dock = dock

        # Top bar: spend, sandbox badge, settings.
        top = QToolBar("Studio", self)
        top.setObjectName("studio-toolbar")
        top.setMovable(False)
        spacer = QWidget(self)
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        top.addWidget(spacer)
        self.spend_label = QLabel("Today ≈ $0.00", self)
        self.spend_label.setToolTip("Estimated spend recorded by this studio (Ideogram has no balance endpoint)")
        top.addWidget(self.spend_label)
        top.addSeparator()
        self.sandbox_badge = QLabel("Sandbox", self)
        self.sandbox_badge.setObjectName("sandbox-badge")
        self.sandbox_badge.setToolTip(
            "No API key is saved, so the studio uses its built-in sandbox: images are local stand-ins "
            "marked SANDBOX and nothing is billed. Add your key in Settings to use Ideogram."
        )
        self._badge_action = top.addWidget(self.sandbox_badge)
        self.settings_action = QAction("Settings…", self, shortcut=QKeySequence(QKeySequence.StandardKey.Preferences))
        self.settings_action.triggered.connect(self.show_settings)
        button = QToolButton(self)
        button.setDefaultAction(self.settings_action)
        top.addWidget(button)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, top)
        self._set_sandbox(self.services.sandbox)

        self._setup_menus()
        self.statusBar().showMessage(f"{APP_NAME} {__version__}", 4000)

    def _setup_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.settings_action)
        show_library = QAction("Open library folder", self)
        show_library.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.services.gallery.data_dir)))
        )
        file_menu.addAction(show_library)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self._jobs_dock.toggleViewAction())
        for text, shortcut, slot in (
            ("Fit", "Ctrl+0", self.viewer.fit),
            ("Actual size", "Ctrl+1", self.viewer.actual_size),
        ):
            action = QAction(text, self, shortcut=QKeySequence(shortcut))
            action.triggered.connect(slot)
            view_menu.addAction(action)
        modes_menu = self.menuBar().addMenu("&Mode")
        for action in self._mode_group.actions():
            modes_menu.addAction(action)
        jobs_menu = self.menuBar().addMenu("&Jobs")
        for action in (self.jobs_panel.cancel_action, self.jobs_panel.retry_action, self.jobs_panel.rerun_action):
            jobs_menu.addAction(action)

    def _scrolled(self, widget: QWidget, name: str) -> QScrollArea:
        area = QScrollArea(self)
        area.setObjectName(name)
        area.setWidgetResizable(True)
        area.setWidget(widget)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        return area

    def _placeholder(self, key: str, label: str, tip: str) -> QWidget:
        page = QWidget(self)
        page.setObjectName(f"mode-{key}")
        layout = QVBoxLayout(page)
        text = QLabel(f"<h3>{label}</h3><p>{tip}.</p><p>This mode arrives with the mask canvas.</p>", page)
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addStretch(1)
        return page

    def _connect(self) -> None:
        c = self.controller
        self._mode_group.triggered.connect(self._on_mode)
        self.generate_panel.submitted.connect(c.submit)
        picker = self.generate_panel.preset_picker()
        picker.previews_requested.connect(c.request_previews)
        picker.compare_requested.connect(c.request_compare)
        c.preset_preview_ready.connect(picker.set_preview)
        c.compare_result.connect(picker.compare_grid().add_result)
        c.compare_failed.connect(picker.compare_grid().set_failed)
        c.image_ready.connect(self._on_image_ready)
        c.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        c.runner.failed.connect(lambda title, text: self.statusBar().showMessage(f"{title}: {text}", 12000))
        c.spend_changed.connect(self.spend_label.setText)
        c.sandbox_changed.connect(self._set_sandbox)
        c.reuse_request.connect(self._on_reuse)
        self.strip.image_activated.connect(c.show_image)
        self.jobs_panel.cancel_requested.connect(c.cancel)
        self.jobs_panel.retry_requested.connect(c.retry)
        self.jobs_panel.rerun_requested.connect(c.rerun)
        self.jobs_panel.reuse_requested.connect(c.reuse)
        self.jobs_panel.show_results_requested.connect(self._on_show_job_results)

    # ---- slots -------------------------------------------------------------------------------
    def _on_mode(self, action: QAction) -> None:
        name = f"mode-{action.data()}"
        page = self._stack.findChild(QWidget, name)
        if page is not None:
            self._stack.setCurrentWidget(page)

    def _on_image_ready(self, image: QImage, caption: str, image_hash: str) -> None:
        self.viewer.set_image(image, caption=caption)
        self.recent_model.prepend(image_hash, caption)

    def _on_reuse(self, request: object) -> None:
        if isinstance(request, GenerateRequest):
            self.set_mode("generate")
            self.generate_panel.set_request(request)
            self.statusBar().showMessage("Settings reused in Generate", 5000)

    def _on_show_job_results(self, job_id: str) -> None:
        job = self.services.queue.jobs.get(job_id)
        if job and job.result_hashes:
            self.controller.show_image(job.result_hashes[0])

    def _set_sandbox(self, sandbox: bool) -> None:
        self._badge_action.setVisible(sandbox)
        self.setWindowTitle(f"{APP_NAME} — Sandbox" if sandbox else APP_NAME)

    # ---- persistence -------------------------------------------------------------------------
    def _qsettings(self) -> QSettings:
        return self._ui_settings if self._ui_settings is not None else QSettings()

    def _restore(self) -> None:
        s = self._qsettings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                available = screen.availableGeometry().size()
                self.resize(QSize(min(1400, available.width()), min(900, available.height())))
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = s.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self._splitter.restoreState(splitter)
        panel = _json(s.value("generate/state"))
        if panel:
            self.generate_panel.restore_state(panel)
        mode = s.value("window/mode")
        self.set_mode(mode if isinstance(mode, str) else "generate")

    def save_layout(self) -> None:
        s = self._qsettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self._splitter.saveState())
        s.setValue("window/mode", self.current_mode())
        s.setValue("generate/state", json.dumps(self.generate_panel.state()))
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        super().closeEvent(event)
        self.closed.emit()


def _json(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, str):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
