"""The Settings dialog: API key (keyring only), library folder, generation defaults, API base URL.

The key and the settings live apart on purpose (DESIGN.md principle 3): the key's rows are
`KeySection` (settings_key.py), acting at once on the OS keyring through the window's `ApiKeyModel`;
OK saves a key that was typed but not saved yet.

OK writes the other fields back into the `Settings` object, saves it to `settings_path` (None:
the default location) and emits `settings_changed` if anything changed. Show the dialog with
`.open()`, never `.exec()` (a nested loop breaks qasync coroutines).
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QObject, QRect, QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import RenderingSpeed, human_name
from ...api.limits import IN_FLIGHT_IMAGES
from ...api.pricing import STANDARD
from ...secrets import SecretStore
from ...settings import API_BASE_ENV, Settings, config_dir
from ...settings import data_dir as default_data_dir
from ...team.config import TEAM_FILE, CredentialVault
from ..common import theme
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from ..widgets.collapsible import CollapsibleSection
from .api_key import ApiKeyModel, KeyState
from .settings_defaults import LABELS as DEFAULT_LABELS
from .settings_defaults import DefaultsRows
from .settings_key import GET_KEY_URL, KeySection
from .settings_shortcuts import ShortcutsPage
from .team_settings import TeamSettingsForm
from .theme_switch import ThemeRow

__all__ = ["GET_KEY_URL", "KeyState", "SettingsDialog"]

DEFAULT_API_BASE = Settings().api_base
MAX_BUDGET_USD = 100_000.0
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
#: Field labels; their column has one width in every section so the fields line up.
_LABELS = ("Data folder", "Default speed", "Daily budget cap", "Images in flight", "API base URL")


def validate_api_base(text: str) -> str | None:
    """Why `text` is not an acceptable API base URL, or None when it is."""
    url = text.strip()
    if not url:
        return "Enter the API base URL, e.g. https://api.ideogram.ai."
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises on a bad port
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme not in ("http", "https") or not host:
        return "Use an http(s) URL, e.g. https://api.ideogram.ai."
    if parts.query or parts.fragment:
        return "The base URL takes no query or fragment."
    if parts.scheme == "http" and host not in _LOCAL_HOSTS:
        return "Use https: over plain http the key would travel unencrypted (http is allowed for localhost only)."
    return None


class _WholePage(QWidget):
    """A page that is never laid out lower than it wants: in its scroll area it scrolls instead (a
    scroll area shrinks its page down to the minimum size, which squashes every field a little)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self.sizeHint().height()))


class SettingsDialog(QDialog):
    """Settings and the API key. Open it with `.open()`; see the module doc."""

    #: True when a key is now saved in the keyring, False when it was removed.
    key_changed = Signal(bool)
    #: OK was pressed and at least one setting changed (already saved to disk).
    settings_changed = Signal()

    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        parent: QWidget | Path | None = None,
        settings_path: Path | QWidget | None = None,
        *,
        team_vault: CredentialVault | None = None,
        key_model: ApiKeyModel | None = None,
        shortcuts_of: QWidget | None = None,
        ui_settings: QSettings | None = None,
    ) -> None:
        """``key_model``: the window's (it outlives the dialog); None: the dialog makes its own.
        ``shortcuts_of`` and ``ui_settings``: the window whose commands the Shortcuts page rebinds,
        and where the rebound ones are kept (no page without them)."""
        # Both orders are accepted: (…, parent, settings_path) and (…, settings_path, parent).
        if isinstance(parent, Path) or isinstance(settings_path, QWidget):
            parent, settings_path = settings_path, parent
        assert parent is None or isinstance(parent, QWidget)
        assert settings_path is None or isinstance(settings_path, Path)
        super().__init__(parent)
        self._settings = settings
        self._settings_path = settings_path
        self._team_vault = team_vault
        self._shortcuts_of, self._ui_settings = shortcuts_of, ui_settings
        # Parentless when the dialog's own: a save still running when the dialog goes keeps it alive.
        self._keys = key_model or ApiKeyModel(secrets)
        #: OK was pressed with a key typed: close once the key is saved.
        self._accept_after_save = False
        self._fitted = False
        self._available: QRect | None = None
        self.setWindowTitle("Settings")
        self._setup_ui()
        self._load_fields()
        self.refresh_key_status()

    # ---- public ----------------------------------------------------------------------------
    def settings(self) -> Settings:
        return self._settings

    def key_state(self) -> str:
        """One of the `KeyState` values, as last checked (UNKNOWN until the keyring answers)."""
        return self.key_section.key_state()

    def is_busy(self) -> bool:
        """A keyring call about the key is running (the key's buttons wait for it)."""
        return self.key_section.is_busy()

    def is_writing(self) -> bool:
        """The key is being saved or removed (OK waits for that; a read does not hold OK back, so a
        keyring that never answers cannot keep the other settings from saving)."""
        return self.key_section.is_writing()

    def refresh_key_status(self) -> None:
        """Look where the key is (in a worker thread, never prompting); the status line follows."""
        self._keys.refresh()

    def save_key(self) -> bool:
        """Store the typed key in the keyring ("Save key"): see KeySection.save_key."""
        return self.key_section.save_key()

    def remove_key(self) -> bool:
        """Delete the key from the keyring (the "Remove key" confirmation calls this)."""
        return self.key_section.remove_key()

    def accept(self) -> None:
        """OK: validate, write the fields into Settings, save them; stay open on a problem.
        A key typed but not yet saved is saved first (pasting a key and pressing OK must not lose
        it): the dialog closes once the keyring has it."""
        if self.is_writing():
            return
        if self.key_section.has_typed_key():
            self._accept_after_save = self.save_key()
            return
        if not self._validate_fields():
            return
        if not self.team_form.save():
            self.team_section.set_expanded(True)
            return
        before = self._snapshot()
        self._write_fields()
        changed = self._snapshot() != before
        if changed:
            try:
                self._settings.save(self._settings_path)
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self.footer_message.show_error(
                    f"The settings could not be saved ({reason}); the previous ones are kept."
                )
                return
        self.footer_message.clear_message()
        if self.shortcuts_page is not None:
            self.shortcuts_page.apply()
        self.key_section.forget_typed_key()
        super().accept()
        if changed:
            self.settings_changed.emit()

    def reject(self) -> None:
        self._accept_after_save = False
        self.key_section.forget_typed_key()
        super().reject()

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setMinimumWidth(520)
        root = QVBoxLayout(self)
        root.setContentsMargins(18, 14, 18, 12)
        root.setSpacing(6)
        #: Every field but the shortcuts; it scrolls when the screen is lower than it, so a status
        #: line that shows never squashes the fields below it (the dialog grows first, then scrolls).
        self.general_page = _WholePage(self)
        self.general_page.setObjectName("settingsGeneral")
        outer = QVBoxLayout(self.general_page)
        outer.setContentsMargins(0, 0, 8, 0)
        outer.setSpacing(6)

        self.key_section = KeySection(self._keys, self)
        self.key_section.key_changed.connect(self._on_key_changed)
        self.key_section.save_failed.connect(self._on_key_failed)
        self.key_section.writing_changed.connect(self._on_key_writing)
        outer.addWidget(self.key_section)
        for name in ("key_status", "key_busy", "key_edit", "show_key_button", "save_key_button", "remove_key_button",
                     "unlock_button", "confirm_remove_button", "cancel_remove_button", "key_message", "key_note",
                     "get_key_link", "_confirm_row"):
            setattr(self, name, getattr(self.key_section, name))  # the names the dialog always had

        # Library
        outer.addSpacing(10)
        outer.addWidget(self._header("Library"))
        lib = QGridLayout()
        lib.setHorizontalSpacing(12)
        lib.setVerticalSpacing(4)
        lib.setColumnStretch(1, 1)
        lib.setColumnMinimumWidth(0, self._label_width())
        folder_row = QHBoxLayout()
        folder_row.setSpacing(6)
        self.data_dir_edit = QLineEdit(self)
        self.data_dir_edit.setPlaceholderText(str(default_data_dir()))
        self.data_dir_edit.setClearButtonEnabled(True)
        self.data_dir_edit.setToolTip(
            "Where images, thumbnails and the index are kept. Empty: the default folder "
            f"({default_data_dir()}). A change applies the next time the studio starts."
        )
        self.data_dir_edit.textChanged.connect(self._on_data_dir_changed)
        folder_row.addWidget(self.data_dir_edit, 1)
        self.browse_button = QPushButton("Browse…", self)
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self._on_browse)
        folder_row.addWidget(self.browse_button)
        self._row(lib, "Data folder", folder_row, self.data_dir_edit)
        self.data_dir_message = FieldMessage(self)
        lib.addWidget(self.data_dir_message, lib.rowCount(), 1)
        # What leaves this computer with a source image (issue 20): said once, where the library is set.
        self.privacy_note = QLabel(
            "Images you send keep their pixels and colour profile only: location, camera, owner and file "
            "name are removed first.",
            self,
        )
        self.privacy_note.setObjectName("privacy-note")
        self.privacy_note.setTextFormat(Qt.TextFormat.PlainText)
        self.privacy_note.setWordWrap(True)
        self._small(self.privacy_note)
        mute(self.privacy_note)
        lib.addWidget(self.privacy_note, lib.rowCount(), 1)
        outer.addLayout(lib)

        # Generation
        outer.addSpacing(10)
        outer.addWidget(self._header("Generation"))
        gen = QGridLayout()
        gen.setHorizontalSpacing(12)
        gen.setVerticalSpacing(6)
        gen.setColumnStretch(1, 1)
        gen.setColumnMinimumWidth(0, self._label_width())
        self.speed_combo = QComboBox(self)
        for speed in RenderingSpeed:
            price = STANDARD.get(speed)
            price_text = f"${price:.2f} / image" if price is not None else "no published price"
            text = f"{human_name(speed)}  ·  {price_text}"
            self.speed_combo.addItem(text, speed.value)
        self.speed_combo.setToolTip(
            "The rendering speed new requests start with. Faster is cheaper; Quality is slowest and best. "
            "Prices are the published standard prices (character references cost more)."
        )
        self._row(gen, "Default speed", self._left(self.speed_combo), self.speed_combo)
        self.defaults_rows = DefaultsRows(self, gen, self._row, self._left)
        self.images_spin = self.defaults_rows.images_spin
        self.magic_combo = self.defaults_rows.magic_combo
        self.style_type_combo = self.defaults_rows.style_type_combo

        self.budget_spin = QDoubleSpinBox(self)
        self.budget_spin.setRange(0.0, MAX_BUDGET_USD)
        self.budget_spin.setDecimals(2)
        self.budget_spin.setSingleStep(1.0)
        self.budget_spin.setPrefix("$ ")
        self.budget_spin.setSpecialValueText("No cap")
        self.budget_spin.setMinimumWidth(120)
        self.budget_spin.setToolTip(
            "Most the studio may spend per day, by the estimated prices. A request that would go over "
            "is held back with the reason. 0 = no cap."
        )
        self._row(gen, "Daily budget cap", self._left(self.budget_spin), self.budget_spin)

        self.in_flight_spin = QSpinBox(self)
        self.in_flight_spin.setRange(1, IN_FLIGHT_IMAGES)
        self.in_flight_spin.setSuffix(" images")
        self.in_flight_spin.setMinimumWidth(120)
        self.in_flight_spin.setToolTip(
            f"How many images may be generating at once. The Ideogram API allows at most {IN_FLIGHT_IMAGES} "
            "images in flight per key, and counts images, not requests (a request for 4 images takes 4). "
            "Lower it if other tools share your key."
        )
        self._row(gen, "Images in flight", self._left(self.in_flight_spin), self.in_flight_spin)
        outer.addLayout(gen)

        # Appearance: the theme applies at once, Cancel takes it back (theme_switch.py)
        outer.addSpacing(10)
        outer.addWidget(self._header("Appearance"))
        look = QGridLayout()
        look.setHorizontalSpacing(12)
        look.setColumnMinimumWidth(0, self._label_width())
        self.theme_combo = ThemeRow(self)
        self._row(look, "Theme", self._left(self.theme_combo), self.theme_combo)
        outer.addLayout(look)

        # Advanced
        outer.addSpacing(6)
        advanced = QWidget(self)
        adv = QGridLayout(advanced)
        adv.setContentsMargins(0, 0, 0, 0)
        adv.setHorizontalSpacing(12)
        adv.setVerticalSpacing(4)
        adv.setColumnStretch(1, 1)
        adv.setColumnMinimumWidth(0, self._label_width())
        base_row = QHBoxLayout()
        base_row.setSpacing(6)
        self.api_base_edit = QLineEdit(advanced)
        self.api_base_edit.setPlaceholderText(DEFAULT_API_BASE)
        self.api_base_edit.setToolTip(
            "Where requests go. Leave it at https://api.ideogram.ai unless you use a proxy or a local "
            f"test server. The {API_BASE_ENV} environment variable overrides it."
        )
        self.api_base_edit.textChanged.connect(self._on_api_base_changed)
        base_row.addWidget(self.api_base_edit, 1)
        self.reset_base_button = QPushButton("Reset", advanced)
        self.reset_base_button.setAutoDefault(False)
        self.reset_base_button.setToolTip(f"Back to {DEFAULT_API_BASE}")
        self.reset_base_button.clicked.connect(lambda: self.api_base_edit.setText(DEFAULT_API_BASE))
        base_row.addWidget(self.reset_base_button)
        label = QLabel("API base URL", advanced)
        label.setBuddy(self.api_base_edit)
        adv.addWidget(label, 0, 0)
        adv.addLayout(base_row, 0, 1)
        self.api_base_message = FieldMessage(advanced)
        adv.addWidget(self.api_base_message, 1, 1)
        self.api_base_env_note = QLabel(advanced)
        self.api_base_env_note.setWordWrap(True)
        self._small(self.api_base_env_note)
        mute(self.api_base_env_note)
        adv.addWidget(self.api_base_env_note, 2, 1)
        self.advanced_section = CollapsibleSection("Advanced", advanced, self)
        outer.addWidget(self.advanced_section)
        team_path = (self._settings_path or config_dir() / "settings.json").with_name(TEAM_FILE)
        self.team_form = TeamSettingsForm(team_path, self._team_vault, self)
        self.team_section = CollapsibleSection("Team library", self.team_form, self)
        outer.addWidget(self.team_section)

        outer.addStretch(1)
        self.general_scroll = QScrollArea(self)
        self.general_scroll.setWidget(self.general_page)
        self.general_scroll.setWidgetResizable(True)
        self.general_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.general_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Its layout grows (a status line shows): the dialog grows with it, once the new size is known.
        # A child timer, so nothing fires once the dialog is gone.
        self._grow_timer = QTimer(self)
        self._grow_timer.setSingleShot(True)
        self._grow_timer.setInterval(0)
        self._grow_timer.timeout.connect(self._grow_to_content)
        self.general_page.installEventFilter(self)
        self.shortcuts_page: ShortcutsPage | None = None
        self.tabs: QTabWidget | None = None
        if self._shortcuts_of is not None and self._ui_settings is not None:
            self.shortcuts_page = ShortcutsPage(self._shortcuts_of, self._ui_settings, self)
            self.shortcuts_page.wants_width.connect(self._widen)
            self.tabs = QTabWidget(self)
            self.tabs.setDocumentMode(True)
            self.tabs.addTab(self.general_scroll, "General")
            self.tabs.addTab(self.shortcuts_page, "Shortcuts")
            root.addWidget(self.tabs, 1)
        else:
            root.addWidget(self.general_scroll, 1)
        self.footer_message = FieldMessage(self)
        root.addWidget(self.footer_message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        root.addSpacing(4)
        root.addWidget(self.buttons)

        theme.apply_style(self, "settings-dialog")

    # ---- size ------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        """The whole General page, the footer and the buttons (a scroll area alone hints less)."""
        page = self.general_page.sizeHint()
        layout = self.layout()
        assert layout is not None
        margins = layout.contentsMargins()
        chrome = self.footer_message.sizeHint().height() * self.footer_message.isVisible()
        chrome += self.buttons.sizeHint().height() + 4 + 2 * layout.spacing()
        if self.tabs is not None:
            chrome += self.tabs.tabBar().sizeHint().height()
        width = page.width() + self.general_scroll.verticalScrollBar().sizeHint().width() + 12
        return QSize(max(self.minimumWidth(), width + margins.left() + margins.right()),
                     page.height() + chrome + margins.top() + margins.bottom())  # fmt: skip

    def fit_to_screen(self, available: QRect | None = None) -> None:
        """As big as the content, within the screen (`available`: its free area; the screen's by
        default): a lower screen scrolls the General page instead of squashing it."""
        if available is None:
            screen = self.screen() or QGuiApplication.primaryScreen()
            available = screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 720)
        self._available = available
        want = self.sizeHint()
        self.resize(min(want.width(), self._max_width()), min(want.height(), self._max_height()))
        self._grow_timer.start()  # the estimate corrected once laid out (wrapped lines, the tabs' frame)

    def _max_width(self) -> int:
        return int(self._available.width() * 0.95) if self._available is not None else self.maximumWidth()

    def _max_height(self) -> int:
        return int(self._available.height() * 0.92) if self._available is not None else self.maximumHeight()

    @Slot(int)
    def _widen(self, page_width: int) -> None:
        """As wide as the Shortcuts table (up to the screen's width); never narrower."""
        margins = self.layout().contentsMargins()  # type: ignore[union-attr]
        want = min(self._max_width(), page_width + margins.left() + margins.right())
        if want > self.width():
            self.resize(want, self.height())

    def showEvent(self, event: QShowEvent) -> None:
        if not self._fitted:
            self._fitted = True
            self.fit_to_screen()
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.general_page and event.type() == QEvent.Type.LayoutRequest and self._fitted:
            self._grow_timer.start()
        return super().eventFilter(watched, event)

    def _grow_to_content(self) -> None:
        """Grow by what the General page lacks in its scroll area (as the area measures it: the
        page's height for the viewport's width), up to the screen's height; never shrink."""
        if not self.isVisible():
            return
        page, viewport = self.general_page, self.general_scroll.viewport()
        wants = max(page.sizeHint().height(), page.heightForWidth(viewport.width()))
        lacking = wants - viewport.height()
        if lacking > 0 and self.height() < self._max_height():
            self.resize(self.width(), min(self._max_height(), self.height() + lacking))

    def _header(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("sectionHeader")
        return label

    @staticmethod
    def _small(label: QLabel) -> None:
        font = label.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        label.setFont(font)

    def _left(self, widget: QWidget) -> QHBoxLayout:
        box = QHBoxLayout()
        box.setSpacing(0)
        box.addWidget(widget)
        box.addStretch(1)
        return box

    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        return max(metrics.horizontalAdvance(t) for t in (*_LABELS, *DEFAULT_LABELS)) + 8

    def _row(self, grid: QGridLayout, text: str, field: QHBoxLayout, buddy: QWidget) -> None:
        row = grid.rowCount()
        label = QLabel(text, self)
        label.setBuddy(buddy)
        label.setToolTip(buddy.toolTip())
        grid.addWidget(label, row, 0)
        grid.addLayout(field, row, 1)

    # ---- fields ----------------------------------------------------------------------------
    def _load_fields(self) -> None:
        s = self._settings
        self.data_dir_edit.setText(s.data_dir)
        index = self.speed_combo.findData(s.default_rendering_speed)
        self.speed_combo.setCurrentIndex(index if index >= 0 else self.speed_combo.findData(RenderingSpeed.TURBO.value))
        self.defaults_rows.load(s)
        self.budget_spin.setValue(self._parse_budget(s.budget_cap_usd))
        self.in_flight_spin.setValue(max(1, min(IN_FLIGHT_IMAGES, int(s.max_in_flight_images or IN_FLIGHT_IMAGES))))
        self.api_base_edit.setText(s.api_base)
        self.advanced_section.set_expanded(s.api_base.rstrip("/") != DEFAULT_API_BASE)
        env_base = os.environ.get(API_BASE_ENV, "").strip()
        self.api_base_env_note.setText(f"Overridden now by {API_BASE_ENV}={env_base}" if env_base else "")
        self.api_base_env_note.setVisible(bool(env_base))

    @staticmethod
    def _parse_budget(text: str) -> float:
        try:
            value = Decimal(text.strip()) if text.strip() else Decimal(0)
        except InvalidOperation:
            return 0.0
        return float(value) if value.is_finite() and value > 0 else 0.0

    def _budget_text(self) -> str:
        value = self.budget_spin.value()
        return "" if value <= 0 else f"{Decimal(str(value)).quantize(Decimal('0.01'))}"

    def _validate_fields(self) -> bool:
        ok = True
        problem = validate_api_base(self.api_base_edit.text())
        if problem:
            self.api_base_message.show_error(problem)
            self.advanced_section.set_expanded(True)
            self.api_base_edit.setFocus()
            ok = False
        folder = self.data_dir_edit.text().strip()
        if folder:
            path = Path(folder).expanduser()
            if not path.is_absolute():
                self.data_dir_message.show_error("Choose a full folder path (Browse… picks one).")
                ok = False
            elif path.exists() and not path.is_dir():
                self.data_dir_message.show_error("This is a file, not a folder.")
                ok = False
        if not ok:
            self.footer_message.show_error("Some fields need attention.")
        return ok

    def _write_fields(self) -> None:
        s = self._settings
        folder = self.data_dir_edit.text().strip()
        s.data_dir = str(Path(folder).expanduser()) if folder else ""
        s.default_rendering_speed = str(self.speed_combo.currentData())
        self.defaults_rows.write(s)
        s.budget_cap_usd = self._budget_text()
        s.max_in_flight_images = self.in_flight_spin.value()
        s.api_base = self.api_base_edit.text().strip().rstrip("/")

    def _snapshot(self) -> tuple[object, ...]:
        s = self._settings
        return (s.data_dir, s.default_rendering_speed, s.budget_cap_usd, s.max_in_flight_images, s.api_base,
                *DefaultsRows.snapshot(s))

    # ---- the key section's answers ------------------------------------------------------------
    @Slot(bool)
    def _on_key_changed(self, saved: bool) -> None:
        self.key_changed.emit(saved)
        if saved and self._accept_after_save:
            self._accept_after_save = False
            self.accept()

    @Slot(bool)
    def _on_key_writing(self, writing: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not writing)

    @Slot()
    def _on_key_failed(self) -> None:
        self._accept_after_save = False

    # ---- other fields ----------------------------------------------------------------------
    @Slot()
    def _on_browse(self) -> None:
        start = self.data_dir_edit.text().strip() or str(self._settings.effective_data_dir)
        dialog = QFileDialog(self, "Choose the library folder", start)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.data_dir_edit.setText)
        self._file_dialog = dialog
        dialog.open()

    @Slot(str)
    def _on_data_dir_changed(self, _text: str) -> None:
        self.data_dir_message.clear_message()
        self.footer_message.clear_message()

    @Slot(str)
    def _on_api_base_changed(self, text: str) -> None:
        self.footer_message.clear_message()
        problem = validate_api_base(text)
        if problem:
            self.api_base_message.show_error(problem)
        else:
            self.api_base_message.clear_message()
        self.reset_base_button.setEnabled(text.strip().rstrip("/") != DEFAULT_API_BASE)
