"""The preset list models: every preset (or the Recents) with its name, description, preview and
comparison tick as item data roles, and the search filter over them. One model, many views: the
grid, the Recents row and the tool bar's button read the same ``PreviewStore``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)

from ...api.enums import StylePreset
from .preset_previews import PreviewStore, preset_description, preset_name

PresetRole = Qt.ItemDataRole.UserRole + 1
DescriptionRole = Qt.ItemDataRole.UserRole + 2
SearchRole = Qt.ItemDataRole.UserRole + 3
HasPreviewRole = Qt.ItemDataRole.UserRole + 4
CurrentRole = Qt.ItemDataRole.UserRole + 5
PreviewImageRole = Qt.ItemDataRole.UserRole + 6


class PresetListModel(QAbstractListModel):
    """A list of presets (None = "no preset"); optionally checkable for comparison."""

    checked_changed = Signal()

    def __init__(
        self,
        store: PreviewStore,
        presets: Sequence[StylePreset | None],
        checkable: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._presets: list[StylePreset | None] = list(presets)
        self._checkable = checkable
        self._checked: set[StylePreset] = set()
        self._current: StylePreset | bool | None = False  # False: nothing highlighted
        store.preview_changed.connect(self._on_preview_changed)

    # ---- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._presets)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._presets):
            return None
        preset = self._presets[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return preset_name(preset)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._store.pixmap(preset)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{preset_name(preset)}\n{preset_description(preset)}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole or role == DescriptionRole:
            return preset_description(preset)
        if role == Qt.ItemDataRole.CheckStateRole:
            if not self._checkable or preset is None:
                return None
            return Qt.CheckState.Checked if preset in self._checked else Qt.CheckState.Unchecked
        if role == PresetRole:
            return "" if preset is None else preset.value
        if role == SearchRole:
            ident = "none" if preset is None else preset.value.lower().replace("_", " ")
            return f"{preset_name(preset)} {preset_description(preset)} {ident}".lower()
        if role == HasPreviewRole:
            return self._store.has_preview(preset)
        if role == CurrentRole:
            return self._current is not False and self._current == preset
        if role == PreviewImageRole:
            return self._store.image(preset)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or not self._checkable:
            return False
        preset = self._presets[index.row()]
        if preset is None:
            return False
        checked = as_check_state(value) == Qt.CheckState.Checked
        if checked == (preset in self._checked):
            return True
        if checked:
            self._checked.add(preset)
        else:
            self._checked.discard(preset)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()
        return True

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self._checkable and self._presets[index.row()] is not None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update(
            {
                PresetRole: QByteArray(b"preset"),
                DescriptionRole: QByteArray(b"description"),
                HasPreviewRole: QByteArray(b"hasPreview"),
            }
        )
        return names

    # ---- public ----------------------------------------------------------------------------
    def presets(self) -> list[StylePreset | None]:
        return list(self._presets)

    def set_presets(self, presets: Sequence[StylePreset | None]) -> None:
        self.beginResetModel()
        self._presets = list(presets)
        self._checked &= {p for p in self._presets if p is not None}
        self.endResetModel()

    def preset_at(self, row: int) -> StylePreset | None:
        return self._presets[row]

    def row_of(self, preset: StylePreset | None) -> int:
        try:
            return self._presets.index(preset)
        except ValueError:
            return -1

    def checked_presets(self) -> list[StylePreset]:
        """Ticked presets in the model's (stable) order."""
        return [p for p in self._presets if p is not None and p in self._checked]

    def set_checked(self, presets: Iterable[StylePreset]) -> None:
        self._checked = {StylePreset(p) for p in presets}
        if self._presets:
            self.dataChanged.emit(self.index(0), self.index(len(self._presets) - 1), [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()

    def set_current(self, preset: StylePreset | bool | None) -> None:
        """Highlight the chosen preset (False: none highlighted)."""
        old = self._current
        self._current = preset
        for value in (old, preset):
            if value is not False:
                row = self.row_of(value)  # type: ignore[arg-type]
                if row >= 0:
                    self.dataChanged.emit(self.index(row), self.index(row), [CurrentRole])

    @Slot(object)
    def _on_preview_changed(self, preset: StylePreset) -> None:
        row = self.row_of(preset)
        if row >= 0:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole, HasPreviewRole, PreviewImageRole])


def as_check_state(value: Any) -> Qt.CheckState:
    if isinstance(value, Qt.CheckState):
        return value
    try:
        return Qt.CheckState(int(value))
    except (TypeError, ValueError):
        return Qt.CheckState.Unchecked


def preset_of_index(index: QModelIndex | QPersistentModelIndex) -> StylePreset | None:
    value = index.data(PresetRole)
    return StylePreset(value) if value else None


class PresetFilterModel(QSortFilterProxyModel):
    """Keeps presets whose name, description or id contain every word typed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10
            self.beginFilterChange()
            self._words = text.lower().split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = text.lower().split()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._words:
            return True
        text = self.sourceModel().index(source_row, 0, source_parent).data(SearchRole) or ""
        return all(word in text for word in self._words)
