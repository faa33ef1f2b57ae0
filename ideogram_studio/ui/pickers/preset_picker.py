"""Style presets: a searchable grid with previews, a Recents row, previews and side-by-side comparison.

One QListView over a QAbstractListModel (never a widget per preset). Previews start as
generated placeholder tiles and are replaced through `PresetPicker.set_preview()` when the
window's job queue delivers a real image. The pieces: ``preset_previews`` (names, placeholder
tiles, the preview cache, the preview request and its cost), ``preset_model`` (list and filter
models), ``preset_grid`` (delegate and view), ``preset_compare`` (the comparison grid).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import StylePreset
from ...api.pricing import estimate_cost, format_cost
from ...resources.catalog import style_presets
from ..common import theme
from ..common.theme import mute
from .preset_compare import CompareGrid
from .preset_grid import PresetTileDelegate, PresetTileView
from .preset_model import PresetFilterModel, PresetListModel, preset_of_index
from .preset_previews import (
    MAX_RECENTS,
    PREVIEW_SPEED,
    TILE,
    PreviewStore,
    preview_cost,
    preview_request,
    recent_presets,
)

#: How long the ticks and prompt must stay unchanged before the comparison's price is asked.
COMPARE_QUOTE_SETTLE_MS = 600


class PresetPicker(QWidget):
    """Search, Recents, the preset grid, preview generation and comparison."""

    preset_chosen = Signal(object)
    previews_requested = Signal(str, list)
    compare_requested = Signal(str, list)
    #: The ticked presets settled: price the comparison from the service's quotes (show_compare_quote).
    compare_quote_wanted = Signal(str, list)

    def __init__(self, parent: QWidget | None = None, *, store: PreviewStore | None = None) -> None:
        """`store`: the preview tiles to show (a form's, which may have received previews before
        its picker was made); a new one by default."""
        super().__init__(parent)
        self._store = store if store is not None else PreviewStore(parent=self)
        self._compare_asked: tuple[str, list[StylePreset]] = ("", [])
        self._compare_quote: str | None = None
        self._compare_timer = QTimer(self)
        self._compare_timer.setSingleShot(True)
        self._compare_timer.setInterval(COMPARE_QUOTE_SETTLE_MS)
        self._compare_timer.timeout.connect(self._ask_compare_quote)
        self._current: StylePreset | None = None
        self._recents: list[StylePreset] = []
        self._confirming = False
        self._setup_ui()
        self._update_actions()

    # ---- public ----------------------------------------------------------------------------
    def model(self) -> PresetListModel:
        """The main model: None then every preset in the service's stable order."""
        return self._model

    def proxy(self) -> PresetFilterModel:
        return self._proxy

    def recents_model(self) -> PresetListModel:
        return self._recents_model

    def view(self) -> PresetTileView:
        return self._view

    def recents_view(self) -> PresetTileView:
        return self._recents_view

    def compare_grid(self) -> CompareGrid:
        return self._compare_grid

    def search_field(self) -> QLineEdit:
        return self._search

    def prompt_field(self) -> QLineEdit:
        return self._prompt

    def preview_button(self) -> QPushButton:
        return self._preview_button

    def confirm_button(self) -> QPushButton:
        return self._confirm_button

    def compare_button(self) -> QPushButton:
        return self._compare_button

    def set_preview(self, preset: StylePreset, image: QImage) -> None:
        self._store.set_preview(preset, image)

    def preview_image(self, preset: StylePreset | None) -> QImage:
        return self._store.image(preset)

    def preview_pixmap(self, preset: StylePreset | None) -> QPixmap:
        return self._store.pixmap(preset)

    def preview_store(self) -> PreviewStore:
        return self._store

    def current(self) -> StylePreset | None:
        return self._current

    def set_current(self, preset: StylePreset | None) -> None:
        """Highlight the preset in use, without emitting preset_chosen."""
        self._current = preset
        self._model.set_current(preset)
        self._recents_model.set_current(preset)
        index = self._proxy.mapFromSource(self._model.index(self._model.row_of(preset)))
        if index.isValid():
            self._view.setCurrentIndex(index)
            self._view.scrollTo(index)

    def choose(self, preset: StylePreset | None) -> None:
        """Choose as the user does: it becomes current, goes to Recents and preset_chosen fires."""
        self.set_current(preset)
        if preset is not None:
            self._recents = [preset, *[p for p in self._recents if p != preset]][:MAX_RECENTS]
            self._sync_recents()
        self.preset_chosen.emit(preset)

    def recents(self) -> list[StylePreset]:
        return list(self._recents)

    def set_recents(self, presets: Iterable[StylePreset | str]) -> None:
        self._recents = recent_presets(presets)
        self._sync_recents()

    def set_search(self, text: str) -> None:
        self._search.setText(text)

    def visible_presets(self) -> list[StylePreset]:
        """Presets the search currently shows (without None), in grid order."""
        out = []
        for row in range(self._proxy.rowCount()):
            preset = preset_of_index(self._proxy.index(row, 0))
            if preset is not None:
                out.append(preset)
        return out

    def checked_presets(self) -> list[StylePreset]:
        return self._model.checked_presets()

    def set_checked(self, presets: Iterable[StylePreset]) -> None:
        self._model.set_checked(presets)

    def prompt(self) -> str:
        return self._prompt.text().strip()

    def set_prompt(self, text: str) -> None:
        self._prompt.setText(text)

    def previews_cost(self) -> Decimal | None:
        return preview_cost(self.prompt(), self.visible_presets())

    def compare_cost(self) -> Decimal | None:
        return preview_cost(self.prompt(), self.checked_presets())

    def is_confirming(self) -> bool:
        return self._confirming

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setMinimumSize(560, 480)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)

        self._search = QLineEdit(self)
        self._search.setPlaceholderText("Search presets by name or mood (e.g. poster, film, minimal)")
        self._search.setClearButtonEnabled(True)
        self._search.textChanged.connect(self._on_search)
        self._search.returnPressed.connect(self._on_search_return)
        layout.addWidget(self._search)

        self._recents_label = _section_label("Recents", self)
        layout.addWidget(self._recents_label)
        self._recents_model = PresetListModel(self._store, [], checkable=False, parent=self)
        self._recents_delegate = PresetTileDelegate(parent=self)
        self._recents_view = PresetTileView(self._recents_delegate, wrapping=False, parent=self)
        self._recents_view.setModel(self._recents_model)
        self._recents_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._recents_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._recents_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._recents_view.setFixedHeight(self._tile_height() + 8)
        self._recents_view.choose_requested.connect(self._on_recent_clicked)
        layout.addWidget(self._recents_view)
        self._recents_empty = QLabel("Presets you choose appear here.", self)
        mute(self._recents_empty)
        layout.addWidget(self._recents_empty)

        self._all_label = _section_label("All presets", self)
        layout.addWidget(self._all_label)
        self._model = PresetListModel(
            self._store, [None, *(p.preset for p in style_presets())], checkable=True, parent=self
        )
        self._model.checked_changed.connect(self._on_checked_changed)
        self._proxy = PresetFilterModel(self)
        self._proxy.setSourceModel(self._model)
        self._delegate = PresetTileDelegate(parent=self)
        self._view = PresetTileView(self._delegate, wrapping=True, parent=self)
        self._view.setModel(self._proxy)
        self._view.choose_requested.connect(self._on_tile_clicked)
        self._view.setMinimumHeight(self._tile_height() + 12)
        self._view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self._compare_grid = CompareGrid(self)
        self._compare_grid.use_requested.connect(self._on_use_compared)
        self._compare_grid.hide()
        self._splitter = QSplitter(Qt.Orientation.Vertical, self)
        self._splitter.addWidget(self._view)
        self._splitter.addWidget(self._compare_grid)
        self._splitter.setChildrenCollapsible(False)
        layout.addWidget(self._splitter, 1)

        self._empty_search = QLabel("No preset matches this search.", self)
        mute(self._empty_search)
        self._empty_search.hide()
        layout.addWidget(self._empty_search)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)

        prompt_row = QHBoxLayout()
        prompt_label = QLabel("Try with:", self)
        prompt_row.addWidget(prompt_label)
        self._prompt = QLineEdit(self)
        self._prompt.setPlaceholderText("A prompt to preview or compare presets with")
        self._prompt.setClearButtonEnabled(True)
        self._prompt.textChanged.connect(self._on_prompt_changed)
        prompt_label.setBuddy(self._prompt)
        prompt_row.addWidget(self._prompt, 1)
        layout.addLayout(prompt_row)

        actions = QHBoxLayout()
        self._preview_button = QPushButton("Generate previews…", self)
        self._preview_button.clicked.connect(self._on_preview_clicked)
        actions.addWidget(self._preview_button)
        self._compare_button = QPushButton(self)
        self._compare_button.clicked.connect(self._on_compare_clicked)
        actions.addWidget(self._compare_button)
        self._clear_ticks = QPushButton("Clear ticks", self)
        self._clear_ticks.clicked.connect(self._on_clear_ticks)
        actions.addWidget(self._clear_ticks)
        actions.addStretch(1)
        layout.addLayout(actions)

        self._confirm_box = QFrame(self)
        self._confirm_box.setObjectName("confirmBox")
        confirm = QHBoxLayout(self._confirm_box)
        confirm.setContentsMargins(10, 6, 6, 6)
        self._confirm_text = QLabel(self._confirm_box)
        self._confirm_text.setWordWrap(True)
        confirm.addWidget(self._confirm_text, 1)
        self._confirm_button = QPushButton(self._confirm_box)
        self._confirm_button.setObjectName("primaryButton")
        self._confirm_button.clicked.connect(self._on_confirm_previews)
        confirm.addWidget(self._confirm_button)
        self._cancel_button = QPushButton("Cancel", self._confirm_box)
        self._cancel_button.clicked.connect(self._on_cancel_previews)
        confirm.addWidget(self._cancel_button)
        self._confirm_box.hide()
        layout.addWidget(self._confirm_box)

        theme.apply_style(self, "preset-picker")
        self._sync_recents()

    def _tile_height(self) -> int:
        return TILE + 14 + 2 * self.fontMetrics().lineSpacing() + 8

    def _sync_recents(self) -> None:
        self._recents_model.set_presets(list(self._recents))
        self._recents_model.set_current(self._current)
        has = bool(self._recents)
        self._recents_view.setVisible(has)
        self._recents_empty.setVisible(not has)

    def _update_actions(self) -> None:
        prompt = self.prompt()
        visible = self.visible_presets()
        checked = self.checked_presets()
        self._delegate.show_all_checks = bool(checked)
        self._view.viewport().update()

        n = len(visible)
        self._preview_button.setText(f"Generate previews ({n})…" if n else "Generate previews…")
        if not prompt:
            self._preview_button.setEnabled(False)
            self._preview_button.setToolTip("Type a prompt to preview the presets with.")
        elif not n:
            self._preview_button.setEnabled(False)
            self._preview_button.setToolTip("No preset matches the search.")
        else:
            cost = format_cost(self.previews_cost())
            self._preview_button.setEnabled(not self._confirming)
            self._preview_button.setToolTip(
                f"One {PREVIEW_SPEED.value.title()} image per preset shown ({n}): {cost}. "
                "You confirm before anything is sent."
            )

        k = len(checked)
        asked = (prompt, list(checked))
        if asked != self._compare_asked:  # another comparison: its own price, asked once it settles
            self._compare_asked, self._compare_quote = asked, None
            if k >= 2 and prompt:
                self._compare_timer.start()
        cost = (self._compare_quote or format_cost(self.compare_cost())) if k else ""
        self._compare_button.setText(f"Compare {k} presets · {cost}" if k else "Compare presets")
        if k < 2:
            self._compare_button.setEnabled(False)
            self._compare_button.setToolTip(
                "Tick two or more presets (click the circle on a tile, or press Space) to compare them."
            )
        elif not prompt:
            self._compare_button.setEnabled(False)
            self._compare_button.setToolTip("Type a prompt to compare the presets with.")
        else:
            self._compare_button.setEnabled(True)
            self._compare_button.setToolTip(
                f"Generate one {PREVIEW_SPEED.value.title()} image for each of the {k} ticked presets "
                f"({cost}) and show them side by side."
            )
        self._clear_ticks.setEnabled(bool(k))

        if self._confirming:
            if not prompt or not n:
                self._set_confirming(False)
            else:
                self._update_confirm_text(prompt, visible)

    def _update_confirm_text(self, prompt: str, visible: list[StylePreset]) -> None:
        n = len(visible)
        each = estimate_cost(preview_request(prompt, visible[0]))
        total = format_cost(self.previews_cost())
        each_text = format_cost(each).removeprefix("≈ ")
        self._confirm_text.setText(
            f"Generate {n} preview{'s' if n != 1 else ''} for “{_shorten(prompt)}”? "
            f"Estimated {total} ({n} × {each_text}, {PREVIEW_SPEED.value.title()}, 1 image each)."
        )
        self._confirm_button.setText(f"Generate {n} · {total}")

    def _set_confirming(self, on: bool) -> None:
        self._confirming = on
        self._confirm_box.setVisible(on)
        self._preview_button.setEnabled(not on and bool(self.prompt()))
        if on:
            self._update_confirm_text(self.prompt(), self.visible_presets())

    # ---- slots -----------------------------------------------------------------------------
    @Slot(str)
    def _on_search(self, text: str) -> None:
        self._proxy.set_query(text)
        self._empty_search.setVisible(self._proxy.rowCount() == 0)
        self._update_actions()

    @Slot()
    def _on_search_return(self) -> None:
        if self._proxy.rowCount():
            self.choose(preset_of_index(self._proxy.index(0, 0)))

    @Slot(QModelIndex)
    def _on_tile_clicked(self, index: QModelIndex) -> None:
        self.choose(preset_of_index(index))

    @Slot(QModelIndex)
    def _on_recent_clicked(self, index: QModelIndex) -> None:
        self.choose(preset_of_index(index))

    @Slot(object)
    def _on_use_compared(self, preset: StylePreset | None) -> None:
        self.choose(preset)

    @Slot()
    def _on_checked_changed(self) -> None:
        self._update_actions()

    @Slot(str)
    def _on_prompt_changed(self, _text: str) -> None:
        self._update_actions()

    @Slot()
    def _on_preview_clicked(self) -> None:
        if self.prompt() and self.visible_presets():
            self._set_confirming(True)

    @Slot()
    def _on_confirm_previews(self) -> None:
        prompt, presets = self.prompt(), self.visible_presets()
        self._set_confirming(False)
        self._update_actions()
        if prompt and presets:
            self.previews_requested.emit(prompt, presets)

    @Slot()
    def _on_cancel_previews(self) -> None:
        self._set_confirming(False)
        self._update_actions()

    def show_compare_quote(self, prompt: str, presets: list[StylePreset], text: str) -> None:
        """The service's total for this comparison (dropped when the ticks or prompt changed since)."""
        if (prompt, list(presets)) == self._compare_asked:
            self._compare_quote = text
            self._update_actions()

    def compare_quote(self) -> str | None:
        return self._compare_quote

    @Slot()
    def _ask_compare_quote(self) -> None:
        prompt, presets = self._compare_asked
        if prompt and len(presets) >= 2:
            self.compare_quote_wanted.emit(prompt, presets)

    @Slot()
    def _on_compare_clicked(self) -> None:
        prompt, presets = self.prompt(), self.checked_presets()
        if not prompt or len(presets) < 2:
            return
        self._compare_grid.set_pending(presets)
        if not self._compare_grid.isVisible():
            self._compare_grid.show()
            total = sum(self._splitter.sizes()) or self._splitter.height()
            self._splitter.setSizes([total * 2 // 5, total - total * 2 // 5])
        self.compare_requested.emit(prompt, presets)

    @Slot()
    def _on_clear_ticks(self) -> None:
        self._model.set_checked([])


def _section_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text.upper(), parent)
    label.setObjectName("sectionLabel")
    mute(label, 0.35)
    font = label.font()
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    label.setFont(font)
    return label


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
