"""The studio window: modes on the left, the mode's panel, the result viewer with the strip of
recent results, and the jobs panel. Layout and last-used values persist across restarts.

Built in three steps, so that the window is on screen at once and takes typing soon after:
`MainWindow()` is a light shell (the menus, the top bar, an "Opening the library…" centre) made from
Qt alone; `open_frame(settings)`, once the shell is painted, puts the modes' bar, the empty viewer's
look and the restored mode's panel there (its requests wait in a ControllerGate) while the services
start; `attach(controller)` then builds the viewer, the strip, jobs dock, status bar and library,
restores the layout and wires the signals. This module imports only Qt at its top: the rest comes
with the later steps.
`MainWindow(controller)` does all at once.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any, cast

# Only what the shell needs. PySide6 makes a class's Python enums when the class is first used (the
# `Qt` namespace alone: ~90 enums, ~15 ms), so the studio's other Qt classes are imported where
# the studio is built, after the window is on screen.
from PySide6.QtCore import QByteArray, QSettings, QSize, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from ... import APP_NAME
from ..common import theme
from ..common.untrusted import isolate, one_line
from ..modes import registry
from ..modes.registry import Mode
from . import send_to
from .menus import add_studio_commands, build_menus, set_shortcut

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QImage
    from PySide6.QtWidgets import QMenu

    from ...api.images import ImageFile
    from ...services import Services
    from ...settings import Settings
    from ..common.in_steps import InSteps, Steps
    from ..modes.background import BackgroundPanel
    from ..modes.batch_dialog import BatchDialog
    from ..modes.edit import EditPanel
    from ..modes.face_swap import FaceSwapPanel
    from ..modes.generate import GeneratePanel
    from ..modes.mode_panel import ModePanel
    from ..modes.reframe import ReframePanel
    from ..modes.remix import RemixPanel
    from ..widgets.prompt_edit import PromptEdit
    from .controller import StudioController
    from .key_link import KeyLink
    from .library_link import LibraryLink
    from .prompt_library import PromptLibraryLink
    from .settings_dialog import SettingsDialog

PANEL_MIN_WIDTH = 380
#: The centre never gets narrower than this in a canvas mode (the editor's tool rows may then be
#: cut at the right; at the usual window sizes they fit).
CANVAS_MIN_WIDTH = 420
#: Width the splitter tries to give the canvas when a canvas mode is entered.
CANVAS_COMFORT_WIDTH = 560
#: The centre of the shell, until attach() puts the studio there.
OPENING_TEXT = "Opening the library…"


class MainWindow(QMainWindow):
    #: The window was closed: the app shuts down (jobs journalled, client and index closed).
    closed = Signal()
    #: The library page was made (on first use: see `library`); what adds to it connects here.
    library_made = Signal()

    controller: StudioController
    services: Services

    def __init__(
        self,
        controller: StudioController | None = None,
        parent: QWidget | None = None,
        *,
        ui_settings: QSettings | None = None,
    ) -> None:
        """The shell; with a controller, the whole studio at once (as `attach(controller)` does)."""
        super().__init__(parent)
        #: Layout and last-used values (never the key); the platform's QSettings by default.
        self._ui_settings = ui_settings
        self._attached = False
        self._library: LibraryLink | None = None
        #: The frame (modes, viewer, the first panel) is in the centre: see open_frame().
        self._frame_open = False
        self._settings_dialog: SettingsDialog | None = None
        self._keys: KeyLink | None = None
        self.setWindowTitle(APP_NAME)
        self.setObjectName("main-window")
        self._setup_shell()
        self._restore_geometry()
        if controller is not None:
            self.attach(controller)

    # ---- public ------------------------------------------------------------------------------
    def attach(self, controller: StudioController) -> None:
        """Build the studio inside the shell: panels, viewer, strip, jobs dock, library; then restore
        the saved layout and values and wire the signals. Once only."""
        if self._attached:
            raise RuntimeError("the studio is already attached to this window")
        self.controller = controller
        self.services = controller.services
        if not self._frame_open:
            self.open_frame(controller.services.settings)
        self._setup_ui()
        self._attached = True
        self._connect()
        self._restore()
        self.viewer.set_empty_text("Results appear here", "Write a prompt and press Ctrl+Enter")
        self._gate.attach(controller)  # what the first panel asked for meanwhile goes through now

    def open_frame(self, settings: Settings, *, rows_later: bool = False) -> ModePanel:
        """The studio's frame in the shell's centre, before the services exist: the modes' bar
        (enabled by attach()), the empty viewer's look, and the restored mode's panel, which takes typing now (its
        requests wait for attach()). Returns that panel. Once only. `rows_later` (the app's start): the
        panel's request fields' rows are left for its `rows_left()` (ModePanel), for whoever opens the frame."""
        if self._frame_open:
            raise RuntimeError("the studio's frame is already open")
        self._settings = settings
        self._setup_frame()
        self._frame_open = True
        panel = self._panels.get(mode := self.current_mode()) or self.panel_steps(mode, rows_later=rows_later).finish()
        self._centre.setCurrentWidget(self._splitter)
        # "Opening the library…" goes, the Qt way. (Not removeWidget() first: PySide would then hand the
        # page to Python, which deletes it as soon as its wrapper is dropped; that crashed the tests.)
        self._opening.deleteLater()
        if not self._attached:
            self._viewer_stand_in.set_empty_text(self._opening_label.text(), "You can write your prompt meanwhile")
        return panel

    @property
    def keys(self) -> KeyLink:
        """The studio's API key (its model, the connection following it); made on first use."""
        if self._keys is None:
            from .key_link import KeyLink

            self._keys = KeyLink(self, self)
        return self._keys

    @property
    def library(self) -> LibraryLink:
        """The library page and its wiring (Ctrl+L): made (finished) on first use, or by the app once started."""
        if self._library is None:
            self._library = self.library_steps().finish()
            self._apply_saved_shortcuts()  # the library's commands (and Ctrl+L, set again by the link)
            self.library_made.emit()
        return self._library

    def library_steps(self) -> InSteps[LibraryLink]:
        """The library being made a step at a time (library_steps.py; `library` finishes it)."""
        from .library_steps import library_in_steps

        return library_in_steps(self, self._attached, self._centre, self._splitter)

    def has_library(self) -> bool:
        return self._library is not None

    def prepare_library(self, show: bool = False) -> None:
        """Make the library page (the app, once started); `show`: and show it (the first Ctrl+L)."""
        if self._library is None:
            self.library.show_library(show)

    def set_opening_text(self, text: str = OPENING_TEXT) -> None:
        """What the shell's centre (then the empty viewer) says while the studio opens (until attach())."""
        if self._frame_open and not self._attached:
            self._viewer_stand_in.set_empty_text(text, "You can write your prompt meanwhile")
        elif not self._attached:
            self._opening_label.setText(text)

    def current_mode(self) -> str:
        if not self._frame_open:
            action = self._mode_group.checkedAction()
            return str(action.data()) if action is not None else registry.DEFAULT_MODE
        page = self._stack.currentWidget()
        return page.objectName().removeprefix("mode-") if page is not None else registry.DEFAULT_MODE

    # The panels by their mode (made on first use: see mode_panel(); the registry makes each class).
    @property
    def generate_panel(self) -> GeneratePanel:
        return cast("GeneratePanel", self.mode_panel("generate"))

    @property
    def remix_panel(self) -> RemixPanel:
        return cast("RemixPanel", self.mode_panel("remix"))

    @property
    def edit_panel(self) -> EditPanel:
        return cast("EditPanel", self.mode_panel("edit"))

    @property
    def face_swap_panel(self) -> FaceSwapPanel:
        return cast("FaceSwapPanel", self.mode_panel("face-swap"))

    @property
    def reframe_panel(self) -> ReframePanel:
        return cast("ReframePanel", self.mode_panel("reframe"))

    @property
    def background_panel(self) -> BackgroundPanel:
        return cast("BackgroundPanel", self.mode_panel("replace-background"))

    def set_mode(self, mode: str) -> None:
        for action in self._mode_group.actions():
            if action.data() == mode:
                action.trigger()

    def show_settings(self) -> SettingsDialog:
        from .settings_link import open_settings

        self._settings_dialog = open_settings(self, self, self._qsettings())
        return self._settings_dialog

    # ---- set-up ------------------------------------------------------------------------------
    def _setup_shell(self) -> None:
        """What shows while the studio starts: the menus and the top bar (their commands enabled by
        attach()) and a quiet centre. Qt widgets only, and few: this is built before the first frame.
        The modes' toolbar, the status bar and the rest come with attach()."""
        self.resize(1400, 900)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        # The modes (their toolbar along the left edge comes with the studio, in attach()).
        self._mode_group = QActionGroup(self)
        for mode in registry.MODES:
            action = QAction(mode.name, self, checkable=True)
            action.setData(mode.id)
            set_shortcut(action, QKeySequence(mode.shortcut))
            action.setToolTip(f"{mode.tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
            self._mode_group.addAction(action)
        self._mode_group.setEnabled(False)

        # Top bar: library, spend, sandbox badge (hidden until the connection is known), settings.
        top = QToolBar("Studio", self)
        top.setObjectName("studio-toolbar")
        top.setMovable(False)
        #: Ctrl+L: shows the library; the library link takes it over in attach().
        self.library_action = QAction("Library", self, checkable=True)
        library_button = QToolButton(self)
        library_button.setDefaultAction(self.library_action)
        top.addWidget(library_button)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, spacer.sizePolicy().verticalPolicy())
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
        self._badge_action.setVisible(False)
        self.settings_action = QAction("Settings…", self)
        self.settings_action.setShortcuts([QKeySequence("Ctrl+,")])  # (Preferences is unbound on Linux desktops)
        self.settings_action.triggered.connect(self.show_settings)
        button = QToolButton(self)
        button.setDefaultAction(self.settings_action)
        top.addWidget(button)
        self.addToolBar(top)  # the top area

        # The centre: a stack whose pages become the studio and the library (attach()); until then a
        # quiet page, greyed (disabled) text in the middle (a layout: no `Qt` alignment flag needed).
        # The central widget is set once: one replaced later would be deleted by Qt behind PySide's back.
        self._centre = QStackedWidget(self)
        self._centre.setObjectName("centre")
        self._opening = QWidget(self._centre)
        self._opening.setObjectName("opening-library")
        self._opening_label = QLabel(OPENING_TEXT, self._opening)
        self._opening_label.setEnabled(False)
        row = QHBoxLayout(self._opening)
        row.addStretch(1)
        row.addWidget(self._opening_label)
        row.addStretch(1)
        self._centre.addWidget(self._opening)
        self.setCentralWidget(self._centre)

        self.menus = build_menus(
            self,
            settings_action=self.settings_action,
            library_action=self.library_action,
            mode_actions=self._mode_group.actions(),
            open_library_folder=self._open_library_folder,
            open_batch=self.open_batch,
        )
        self.menus.studio_actions += [self.library_action, self.settings_action]
        for action in self.menus.studio_actions:
            action.setEnabled(False)
        # No status bar yet: it comes with the studio (its size grip alone costs ~5 ms here).

    def _setup_frame(self) -> None:
        """The frame (open_frame()): what needs no service. Its modules are imported here."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QSplitter, QVBoxLayout

        from ..widgets.empty_view import EmptyViewer
        from ..widgets.page_stack import PageStack
        from .centre_switch import CentreSwitch
        from .controller_gate import ControllerGate
        from .panel_widths import PanelWidths
        from .preset_link import PresetLink

        #: What the panels ask of the controller (it waits there until attach()).
        self._gate = ControllerGate(self)
        # Modes along the left edge.
        modes = QToolBar("Modes", self)
        modes.setObjectName("modes-toolbar")
        modes.setMovable(False)
        # An icon above its name, drawn in the theme's icon colour (redrawn on a switch).
        modes.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        modes.setIconSize(QSize(24, 24))
        modes.setOrientation(Qt.Orientation.Vertical)
        for mode, action in zip(registry.MODES, self._mode_group.actions(), strict=True):
            theme.bind_icon(action, mode.icon)
        modes.addActions(self._mode_group.actions())
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, modes)
        self.modes_toolbar = modes

        # The mode's panel: one page per mode, made by the registry (see mode_panel()).
        #: The mode panels made so far, by mode id.
        self._panels: dict[str, ModePanel] = {}
        #: The prompt library pop-up's link (made on the first Ctrl+Up).
        self._prompt_library: PromptLibraryLink | None = None
        self._stack = PageStack(self, min_width=PANEL_MIN_WIDTH)  # as wide as the shown panel needs
        self._presets = PresetLink(self._gate, self)  # the forms' preset rows and the controller

        # Viewer + strip of recent results; in Edit and Face swap the mask canvas shares the centre. The
        # viewer itself comes with attach() (nothing to show before): its empty look stands in until then.
        self._viewer_stand_in = EmptyViewer(self)
        self._viewer_hash: str | None = None
        self._compare_hash: str | None = None
        self._centre_stack = PageStack(self)
        self._centre_stack.addWidget(self._viewer_stand_in)
        #: The mask editors of the modes that paint a mask, by mode id (pages of the centre).
        self._canvas_pages: dict[str, QWidget] = {}
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        self._centre_bar = CentreSwitch(centre, show_canvas=self.show_canvas, is_showing_canvas=self.is_showing_canvas)
        self.addAction(self._centre_bar.toggle_action)
        self._centre_bar.hide()
        centre_layout.addWidget(self._centre_bar)
        centre_layout.addWidget(self._centre_stack, 1)
        self._centre_layout, self._canvas_area = centre_layout, centre

        self._splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._splitter.setObjectName("main-splitter")
        self._splitter.addWidget(self._stack)
        self._splitter.addWidget(centre)
        self._splitter.setStretchFactor(0, 0)
        self._splitter.setStretchFactor(1, 1)
        self._splitter.setSizes([440, 960])
        splitter = self._qsettings().value("window/splitter")
        if isinstance(splitter, QByteArray):
            self._splitter.restoreState(splitter)
        self.panel_widths = PanelWidths(self._splitter)
        self.panel_widths.restore(self._qsettings())
        self._centre.addWidget(self._splitter)  # shown by open_frame()

    def _setup_ui(self) -> None:
        """The rest of the studio (attach()): what needs the services. Its modules are imported here."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QDockWidget

        from ... import __version__  # here, not at the top: it may read the package's metadata
        from ..common import current_result
        from ..common.thumbnail_loader import ThumbnailCache
        from ..widgets.viewer import ImageViewer
        from .batch_view import ResultArea
        from .culling import install_culling
        from .current_result_link import install_current_result
        from .jobs_panel import JobsPanel
        from .results_strip import RecentResultsModel, ResultsStrip
        from .workspace import Workspace

        self.viewer = ImageViewer(self)
        self.viewer.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        current_result.set_provider(self.viewer.image)  # a saved style's preview comes from it
        self._viewer_stand_in.deleteLater()  # (Qt takes it out of the centre's stack)
        self.thumbnails = ThumbnailCache(self.services.gallery, 256, parent=self)
        self.recent_model = RecentResultsModel(self.thumbnails, self)
        self.strip = ResultsStrip(self.recent_model, parent=self)
        self._centre_layout.addWidget(self.strip)
        centre = self._canvas_area
        #: The viewer and a batch's grid, one at a time (batch_view.py); it takes the viewer's page.
        self.result_area = ResultArea(
            self.viewer, ThumbnailCache(self.services.gallery, 512, parent=self), self.recent_model.hashes, self
        )
        self._centre_stack.insertWidget(0, self.result_area)
        install_current_result(self.result_area, self.viewer, self.thumbnails)  # a saved style's preview
        if not self.is_showing_canvas():
            self._centre_stack.setCurrentWidget(self.result_area)

        # Jobs on the right, as a dock so designers can move or hide it.
        self.jobs_panel = JobsPanel(self.controller.jobs_model, self, thumbnails=self.thumbnails)
        dock = QDockWidget("Jobs", self)
        dock.setObjectName("jobs-dock")
        dock.setWidget(self.jobs_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self._jobs_dock = dock
        self.jobs_dock = dock
        self._jobs_were_visible = True
        self.culling = install_culling(self, self.menus.jobs)
        self.workspace = Workspace(
            self, panels=[self.modes_toolbar, self._stack, dock, self.strip], canvas_area=[centre], jobs_dock=dock
        )

        self._set_sandbox(self.services.sandbox)
        # The library: a second central page (Ctrl+L), made on first use (see `library`).
        self.library_action.setShortcut("Ctrl+L")
        self.library_action.toggled.connect(self.prepare_library)  # the link takes it over once made
        self.addAction(self.library_action)  # Ctrl+L answers with the menus and bars hidden too

        # The menus' commands that need the studio.
        self.workspace.watch_defaults(lambda: self.services.settings, self._panels.values)
        add_studio_commands(
            self.menus,
            self,
            jobs_dock=self._jobs_dock,
            view_actions=[
                self.workspace.panels_action,
                self.workspace.full_screen_action,
                self.workspace.shortcuts_action,
            ],
            zoom=[("Fit", "Ctrl+0", self.viewer.fit), ("Actual size", "Ctrl+1", self.viewer.actual_size)],
            job_actions=self.jobs_panel.menu_actions(),
            cancel_all=self.controller.cancel_all,
        )
        from .sorting import install_sorting

        self.compare = install_sorting(self, self.menus.view)  # the results' menu, drags out, compare two (C)
        from .theme_switch import ThemeSwitch

        s = self.services
        self.theme_switch = ThemeSwitch(self, self.menus.view, s.settings, s.settings_path, self.show_notice)
        self._mode_group.setEnabled(True)
        from ..common.notice import NoticeBar

        self.notice = NoticeBar(self.statusBar())
        self.statusBar().addWidget(self.notice, 1)
        self.statusBar().addPermanentWidget(self.workspace.jobs_button)
        self.statusBar().showMessage(f"{APP_NAME} {__version__}", 4000)

    def show_notice(self, text: str, detail: str = "") -> None:
        """A message in whole sentences, with "Details…" when there is more (see ui/common/notice.py)."""
        self.statusBar().clearMessage()
        self.notice.show_notice(text, detail)

    def _on_controller_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _on_task_failed(self, title: str, text: str, detail: str) -> None:
        self.show_notice(f"{title}: {isolate(one_line(text, 2000))}", detail)

    def _open_library_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.services.gallery.data_dir)))

    def _connect(self) -> None:
        c = self.controller
        self._mode_group.triggered.connect(self._on_mode)
        c.compare_result.connect(self._presets.add_result)
        c.compare_failed.connect(self._presets.set_failed)
        c.image_ready.connect(self._on_image_ready)
        c.result_arrived.connect(self._on_result_arrived)
        self.result_area.show_requested.connect(c.show_image)
        c.compare_ready.connect(self._on_compare_ready)
        # Methods, not lambdas: the controller outlives the window, and Qt drops a method's connection
        # when the window is destroyed (a lambda would call into a deleted window: tests/ui/test_late_signals.py).
        c.message.connect(self._on_controller_message)
        c.runner.failed_with_detail.connect(self._on_task_failed)
        c.notice.connect(self.show_notice)
        c.spend_changed.connect(self.spend_label.setText)
        c.sandbox_changed.connect(self._set_sandbox)
        c.reuse_job.connect(self._on_reuse)
        self.strip.image_activated.connect(c.show_image)
        self.jobs_panel.cancel_requested.connect(c.cancel)
        self.jobs_panel.retry_requested.connect(c.retry)
        self.jobs_panel.retry_download_requested.connect(c.retry_download)
        self.jobs_panel.rerun_requested.connect(c.rerun)
        self.jobs_panel.reuse_requested.connect(c.reuse)
        self.jobs_panel.show_results_requested.connect(self._on_show_job_results)
        self.jobs_panel.pause_batch_requested.connect(c.pause_batch)
        self.jobs_panel.resume_batch_requested.connect(c.resume_batch)
        self.jobs_panel.cancel_batch_requested.connect(c.cancel_batch)
        self.jobs_panel.clear_finished_requested.connect(c.clear_finished)
        jobs = self.services.queue.jobs
        self.workspace.watch_jobs(c.jobs_model, lambda: sum(not j.state.finished for j in jobs.values()))

    # ---- slots -------------------------------------------------------------------------------
    def show_canvas(self, canvas: bool) -> None:
        """In Edit and Face swap: show the mask canvas (True) or the result viewer (False)."""
        page = self._canvas_pages.get(self.current_mode()) if canvas else None
        self._centre_stack.setCurrentWidget(page or self.result_area)
        self._centre_stack.updateGeometry()  # (its minimum is its page's)
        shown = page is not None
        name = getattr(self._canvas_pages.get(self.current_mode()), "canvas_name", "Mask")
        self._centre_bar.show_state(shown, str(name))

    def add_canvas(self, mode_id: str, editor: QWidget) -> None:
        """A mode's canvas as a page of the centre, with the switch above it (a mask editor; the
        layout editor of Generate once opened)."""
        if editor not in self._canvas_pages.values():
            self._centre_stack.addWidget(editor)
        self._canvas_pages[mode_id] = editor
        self._centre_bar.setVisible(self.current_mode() in self._canvas_pages)
        self._fit_to_mode()

    def remove_canvas(self, mode_id: str) -> None:
        """The mode has no canvas now (Generate on a model without a layout): the viewer again."""
        if self._canvas_pages.pop(mode_id, None) is not None and self.current_mode() == mode_id:
            self._centre_bar.hide()
            self.show_canvas(False)

    def is_showing_canvas(self) -> bool:
        return self._centre_stack.currentWidget() in self._canvas_pages.values()

    def shown_image_hash(self) -> str | None:
        """The content hash of the result in the viewer (what its context menu acts on)."""
        return self._viewer_hash

    # "Send to…" / "Use as…" (send_to.py; the library, the viewer and the strip ask for them).
    def send_menu(self, image_hash: str) -> QMenu:
        return send_to.send_menu(self, image_hash)

    def send_image_to(self, target: str, image_hash: str) -> None:
        send_to.send_image_to(self, target, image_hash)

    def place_image(self, target: str, image: ImageFile, origin_hash: str | None = None) -> bool:
        return send_to.place_image(self, target, image, origin_hash)

    def made_panel(self, mode_id: str) -> ModePanel | None:
        """The panel of a mode if it was made (never makes one)."""
        return self._panels.get(mode_id)

    def mode_panel(self, mode_id: str) -> ModePanel:
        """The panel of a mode, made the first time it is asked for (or finished then, if it was being
        made ahead: see panel_steps)."""
        panel = self._panels.get(mode_id)
        return panel if panel is not None else self.panel_steps(mode_id).finish()

    def panel_steps(self, mode_id: str, rows_later: bool = False) -> InSteps[ModePanel]:
        """The panel of a mode being made a step at a time (panel_steps.py; `mode_panel` finishes it)."""
        from .panel_steps import panel_in_steps

        return panel_in_steps(self, registry.mode(mode_id), partial(self._panel_steps, rows_later=rows_later))

    def _panel_steps(self, mode: Mode, rows_later: bool = False) -> Steps[ModePanel]:
        """The panel made by the registry, a page of the modes' stack (and its mask editor a page of the
        centre), wired to the controller, with its last-used values restored (`rows_later`: ModePanel's)."""
        from ..modes.v2_form import ServicePanel
        from .layout_link import attach_layout
        from .panel_steps import add_preset_choice, restore_values

        gate = self._gate
        panel = yield from mode.panel_in_steps(self._stack, rows_later=rows_later)
        panel.setObjectName(f"mode-{mode.id}")
        self._stack.addWidget(panel)
        if mode.paints_mask:
            from ..modes.edit import MaskedPanel

            assert isinstance(panel, MaskedPanel)
            editor = panel.detach_editor()
            editor.setObjectName(f"canvas-{mode.id}")
            self.add_canvas(mode.id, editor)
        # Through the gate: the first panel is made before the controller exists (see open_frame()).
        panel.submitted.connect(lambda request, front: gate.submit(request, front, panel.tags()))
        panel.prompt_library_requested.connect(self._show_prompt_library)
        if isinstance(panel, ServicePanel):  # the panels with a 4.x model: quotes, magic prompt
            panel.connect_services(gate)
            attach_layout(self, panel)
        panel.when_rows(partial(add_preset_choice, self._presets, panel))  # (its picker is made on first open)
        yield
        restore_values(panel, self._qsettings().value(f"{mode.id}/state"), self._settings)
        self._panels[mode.id] = panel
        if self._attached:  # the panel's own commands take the designer's keys too
            self._apply_saved_shortcuts()
        return panel

    def open_batch(self) -> BatchDialog:
        """The batch dialog, planned on the Generate panel's current settings (its prompt may hold
        {choices}: they are the batch's to expand, not an error)."""
        from PySide6.QtCore import Qt

        from ...batch.pricing import local_price
        from ..modes.batch_dialog import BatchDialog

        panel = self.mode_panel("generate")
        dialog = BatchDialog(panel.draft(), local_price, self.controller.budget_left(), self, self._qsettings())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.batch_confirmed.connect(self.controller.submit_batch)
        dialog.quote_requested.connect(self.controller.quote_batch)
        self.controller.batch_quoted.connect(dialog.show_quote)
        dialog.open()
        return dialog

    def _show_prompt_library(self, edit: PromptEdit) -> None:
        if self._attached:  # (the prompt library lives beside the library, open once attached)
            self._prompt_library_link().show_for(edit)

    def _prompt_library_link(self) -> PromptLibraryLink:
        if self._prompt_library is None:
            from .prompt_library import PromptLibraryLink

            self._prompt_library = PromptLibraryLink(self, self.controller.prompt_history)
        return self._prompt_library

    def _on_mode(self, action: QAction) -> None:
        key = str(action.data())
        if self._library is not None:  # choosing a mode leaves the library for the studio
            self._library.show_library(False)
        self._stack.setCurrentWidget(self.mode_panel(key))
        canvas_mode = key in self._canvas_pages
        self._centre_bar.setVisible(canvas_mode)
        self.show_canvas(canvas_mode)
        self._fit_to_mode()

    def _fit_to_mode(self) -> None:
        """Minimum widths of the current mode's panel and centre; the panel's width as the designer
        left it in this mode (never less than it needs); in a canvas mode the panel gives the canvas
        room if the centre is narrower than the editor needs."""
        self._stack.updateGeometry()  # (its minimum is its page's)
        need = self._stack.minimumSizeHint().width()
        canvas = self.current_mode() in self._canvas_pages
        self._centre_stack.setMinimumWidth(CANVAS_MIN_WIDTH if canvas else 0)
        self.panel_widths.show_mode(self.current_mode(), need, CANVAS_COMFORT_WIDTH if canvas else 0)

    def _on_compare_ready(self, before: QImage, after: QImage, caption: str, image_hash: str) -> None:
        from PySide6.QtWidgets import QApplication

        self.viewer.set_compare(before, after, caption=caption)
        self._compare_hash = image_hash
        self._viewer_hash = image_hash
        if self.is_showing_canvas() and not QApplication.mouseButtons():
            self.show_canvas(False)  # an edit's result, before/after (not while a stroke is painted)

    def _on_image_ready(self, image: QImage, caption: str, image_hash: str) -> None:
        if image_hash != self._compare_hash:
            self.viewer.set_image(image, caption=caption)
            self._compare_hash = None
        self._viewer_hash = image_hash
        self.recent_model.prepend(image_hash, caption)
        self.result_area.image_shown(image_hash)
        if self.is_showing_canvas() and image_hash != self._compare_hash:
            self.statusBar().showMessage("A new result is ready: click Result (F6) to see it", 6000)

    def _on_result_arrived(self, image_hash: str, caption: str, batch: str, expected: int, place: object) -> None:
        from PySide6.QtWidgets import QApplication

        self.recent_model.prepend(image_hash, caption)  # in the strip at once; shown if the designer follows
        shown = self.result_area.result_arrived(image_hash, caption, batch, expected, place)
        if shown and self.is_showing_canvas() and not QApplication.mouseButtons():
            self.show_canvas(False)  # a new batch's grid, as an edit's result (not while painting)

    # ---- what the library asks of the window (LibraryHost) ------------------------------------------
    def show_status(self, text: str, timeout_ms: int) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def step_aside_for_library(self, showing: bool) -> None:
        if showing:
            self._jobs_were_visible = self._jobs_dock.isVisible()
            self._jobs_dock.hide()
        elif self._jobs_were_visible:
            self._jobs_dock.show()
        self.modes_toolbar.setVisible(not showing)

    def use_in_generate(self, *, prompt: str | None = None, seed: int | None = None) -> None:
        panel = self.generate_panel
        if prompt is not None:
            panel.set_prompt(prompt)
        if seed is not None:
            panel.set_seed(seed)
        self.set_mode("generate")

    def use_layout_in_generate(self, prompt: dict[str, Any], reference: QImage | None = None) -> None:
        self.generate_panel.use_structured_prompt(prompt, reference)
        self.set_mode("generate")

    def reuse_request(self, request: object, tags: object = None) -> None:
        """Fill the mode a request belongs to with exactly its fields and input images."""
        self._on_reuse(request, tags)

    def _on_reuse(self, request: object, tags: object = None) -> None:
        from ...api.requests import ApiRequest
        from ...api.v2_requests import V2Request

        tags = tags if isinstance(tags, dict) else {}
        mode = None
        if isinstance(request, ApiRequest | V2Request):
            # Stored under the operation label (face-swap) or the request's operation (edit).
            mode = registry.mode_for_reuse(str(tags.get("operation_label") or request.operation.value))
        panel = self.mode_panel(mode.id) if mode is not None else None
        if mode is None or panel is None or not panel.reuse(request):
            self.statusBar().showMessage("These settings cannot be reused in a mode of the studio", 5000)
            return
        self.set_mode(mode.id)
        self.statusBar().showMessage(f"Settings reused in {mode.name}", 5000)

    def _on_show_job_results(self, job_id: str) -> None:
        job = self.services.queue.jobs.get(job_id)
        if job and job.result_hashes:
            self.controller.show_image(job.result_hashes[0])

    def _set_sandbox(self, sandbox: bool) -> None:
        if sandbox and not self.sandbox_badge.styleSheet():
            # On the badge only, once it shows: a window-wide style sheet re-polishes every widget
            # (~150 ms at start).
            theme.apply_style(self.sandbox_badge, "sandbox-badge")
        self._badge_action.setVisible(sandbox)
        # Ends with the app name, so Qt does not append its display name a second time.
        self.setWindowTitle(f"Sandbox — {APP_NAME}" if sandbox else APP_NAME)

    # ---- persistence -------------------------------------------------------------------------
    def _qsettings(self) -> QSettings:
        return self._ui_settings if self._ui_settings is not None else QSettings()

    def _restore_geometry(self) -> None:
        """The shell's part of the saved layout: the window's place and size, and the current mode's
        button, so that nothing moves when the studio is attached."""
        s = self._qsettings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                available = screen.availableGeometry().size()
                self.resize(QSize(min(1400, available.width()), min(900, available.height())))
        mode = s.value("window/mode")
        for action in self._mode_group.actions():
            action.setChecked(action.data() == (mode if isinstance(mode, str) else "generate"))
        if s.value("window/full_screen") in (True, "true"):  # full screen from the first frame
            from PySide6.QtCore import Qt

            self.setWindowState(Qt.WindowState.WindowFullScreen)

    def _restore(self) -> None:
        """The rest of the saved layout and values (attach(); the splitter's in open_frame())."""
        s = self._qsettings()
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        if not isinstance(state, QByteArray):  # first start: the image first, the panels slim
            self._splitter.setSizes(self.workspace.first_start_layout(self._stack, self._splitter.sizes()))
        mode = s.value("window/mode")
        self.set_mode(mode if isinstance(mode, str) else "generate")
        self._apply_saved_shortcuts()

    def _apply_saved_shortcuts(self) -> None:
        """The designer's own keys (Settings ▸ Shortcuts) on the commands made so far."""
        from .shortcuts import apply_saved

        apply_saved(self._qsettings(), self)

    def save_layout(self) -> None:
        if not self._attached:  # the shell changed nothing worth keeping
            return
        s = self._qsettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self._splitter.saveState())
        self.panel_widths.save(s)
        s.setValue("window/mode", self.current_mode())
        s.setValue("window/full_screen", self.isFullScreen())
        for key, panel in self._panels.items():  # a mode never made keeps its saved values
            s.setValue(f"{key}/state", json.dumps(panel.state()))
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        super().closeEvent(event)
        self.closed.emit()
