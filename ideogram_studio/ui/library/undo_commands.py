"""The library's undoable edits. Each command only says what to do and what undoes it; the
session (session.py) does it. The first redo is the edit itself (QUndoStack.push runs it)."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand


class UndoTarget(Protocol):
    """What the commands call (LibrarySession)."""

    def apply_trash(self, ids: list[int], *, reselect: bool = True) -> None: ...

    def apply_restore(self, ids: list[int], *, from_trash_view: bool = False) -> None: ...

    def apply_annotation(self, field: str, groups: dict[Any, list[int]]) -> None: ...


class TrashCommand(QUndoCommand):
    """Move to the Trash; undo restores."""

    def __init__(self, target: UndoTarget, ids: list[int], text: str) -> None:
        super().__init__(text)
        self._target, self._ids = target, ids

    def redo(self) -> None:
        self._target.apply_trash(self._ids)

    def undo(self) -> None:
        self._target.apply_restore(self._ids)


class RestoreCommand(QUndoCommand):
    """Restore from the Trash (in the trash view); undo puts them back in the Trash."""

    def __init__(self, target: UndoTarget, ids: list[int], text: str) -> None:
        super().__init__(text)
        self._target, self._ids = target, ids

    def redo(self) -> None:
        self._target.apply_restore(self._ids, from_trash_view=True)

    def undo(self) -> None:
        self._target.apply_trash(self._ids, reselect=False)


class AnnotateCommand(QUndoCommand):
    """Favourite, rating or flag of some images: redo sets the new value, undo puts back the old ones."""

    def __init__(self, target: UndoTarget, field: str, ids: list[int], new: Any, old: dict[int, Any],
                 text: str) -> None:
        super().__init__(text)
        self._target, self._field, self._ids, self._new, self._old = target, field, ids, new, old

    def redo(self) -> None:
        self._target.apply_annotation(self._field, {self._new: self._ids})

    def undo(self) -> None:
        groups: dict[Any, list[int]] = {}
        for image_id, value in self._old.items():
            groups.setdefault(value, []).append(image_id)
        self._target.apply_annotation(self._field, groups)
