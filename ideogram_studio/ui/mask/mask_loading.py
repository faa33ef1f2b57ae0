"""Load mask off the GUI thread: the file is read, checked and compared with the mask in a worker.

Loading an 8K mask file held the GUI thread ~0.9 s: Pillow decoding and thresholding it, then
comparing every pixel with the layer to keep only the box that differs for undo. ``MaskLoader``
does that in a worker (``ui.mask.mask_snapshot.MaskWorker``) against a snapshot of the mask taken
when the load starts, and hands back only the box that differs, with the mask's pixels there before
and after as images made in the worker (copying them on the GUI thread took ~30 ms for an 8K mask);
the canvas then makes the one undo step. If the mask changed while the worker read (a stroke meanwhile), the file
is compared again with the mask as it is. A file of another size asks the canvas's prompt on the
GUI thread, and is read again, stretched, when the designer says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QRect, QSize
from PySide6.QtGui import QImage

from ...imaging.mask_export import MaskRule
from .layer import FORMAT
from .mask_file_load import MaskLoad, ScalePrompt, read_mask_for_image
from .mask_snapshot import MaskSnapshot, MaskWorker


@dataclass(frozen=True)
class LoadedPatch:
    """What a mask file changes: the box where it differs from the mask (empty: nothing), and the
    mask's pixels there before and after (Alpha8 images of the box's size, null when it is empty);
    ``message`` says what was loaded."""

    box: QRect
    before: QImage
    after: QImage
    message: str
    #: What is known of the loaded mask: every pixel outside this box holds this value.
    known: tuple[QRect, int] = (QRect(), 0)


def compare(load: MaskLoad, snapshot: MaskSnapshot) -> LoadedPatch | str:
    """The patch that turns ``snapshot``'s mask into the loaded one (in a worker), or the sentence.
    With numpy, which lets the GIL go over 33 megapixels (Pillow's difference and invert of an 8K
    mask kept it ~25 ms each: the GUI thread's turns waited)."""
    if load.coverage is None:
        return load.message
    old, new = np.asarray(snapshot.coverage()), np.asarray(load.coverage)  # (rows × columns, uint8)
    diff = box_of(old != new)
    if diff.isEmpty():
        return LoadedPatch(QRect(), QImage(), QImage(), load.message)
    # The loaded mask's own known box: around its painted pixels all 0, or around its unpainted ones
    # all 255, whichever box is smaller.
    known = min(((box_of(new != 0), 0), (box_of(new != 255), 255)), key=lambda k: k[0].width() * k[0].height())
    rows, columns = slice(diff.top(), diff.bottom() + 1), slice(diff.left(), diff.right() + 1)
    return LoadedPatch(diff, alpha8(old[rows, columns]), alpha8(new[rows, columns]), load.message, known)


def box_of(marked: np.ndarray) -> QRect:
    """The bounding box of the True pixels of ``marked`` (rows × columns; empty: none)."""
    rows = np.flatnonzero(marked.any(axis=1))
    if not rows.size:
        return QRect()
    columns = np.flatnonzero(marked[rows[0] : rows[-1] + 1].any(axis=0))
    return QRect(int(columns[0]), int(rows[0]), int(columns[-1] - columns[0]) + 1, int(rows[-1] - rows[0]) + 1)


def alpha8(pixels: np.ndarray) -> QImage:
    """Coverage rows (uint8) as an Alpha8 QImage with pixels of its own, filled by numpy (which lets the
    GIL go while it copies: this runs in a worker beside the GUI thread)."""
    height, width = pixels.shape
    image = QImage(width, height, FORMAT)
    rows = np.frombuffer(image.bits(), dtype=np.uint8).reshape(height, image.bytesPerLine())
    rows[:, :width] = pixels
    return image


class MaskFileJobs(QObject):
    """A canvas's mask files read and written in a worker. Load: ``apply(patch, generation)`` is
    called on the GUI thread with what the file changes in the mask of that generation (False back:
    the mask has changed since, so it is read and compared again); Save: ``saved(path)``. A refusal
    or a failure goes to ``say``."""

    def __init__(
        self,
        mask: Callable[[], tuple[MaskSnapshot, int]],
        apply: Callable[[LoadedPatch, int], bool],
        say: Callable[[str], None],
        saved: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        #: The canvas's mask now: a snapshot and its generation (a count of its changes).
        self._mask = mask
        self._apply, self._say, self._saved = apply, say, saved
        self._worker = MaskWorker(self)
        self._worker.finished.connect(self._on_done)
        #: Asked on a size mismatch when scale_to_fit is None; None = refuse.
        self.prompt: ScalePrompt | None = None
        self._loads: dict[int, tuple[Path, MaskRule, bool | None]] = {}

    def save(self, snapshot: MaskSnapshot, path: Path) -> None:
        self._worker.start(lambda: snapshot.save(path))

    def load(self, path: Path, rule: MaskRule, scale_to_fit: bool | None = None) -> None:
        """Read ``path`` and compare it with the mask as it is now."""
        snapshot, generation = self._mask()
        scale = bool(scale_to_fit)  # (None: refused first; the prompt is asked on the GUI thread)
        ticket = self._worker.start(lambda: (generation, self._read(path, rule, snapshot, scale)))
        self._loads[ticket] = (path, rule, scale_to_fit)

    @staticmethod
    def _read(path: Path, rule: MaskRule, snapshot: MaskSnapshot, scale: bool) -> LoadedPatch | MaskLoad | str:
        load = read_mask_for_image(path, rule, snapshot.size, scale)
        return load if load.mismatch is not None else compare(load, snapshot)

    def _on_done(self, ticket: int, result: object) -> None:
        if ticket not in self._loads:  # a save: (path,) or (path, why it was not written)
            if isinstance(result, tuple) and len(result) == 1:
                self._saved(str(result[0]))
            else:
                self._say(str(result[1]) if isinstance(result, tuple) else f"The mask could not be saved ({result}).")
            return
        path, rule, scale_to_fit = self._loads.pop(ticket)
        if not isinstance(result, tuple):  # (out of memory in the worker)
            self._say(f"The mask was not loaded: {result}")
            return
        generation, read = result
        if isinstance(read, MaskLoad) and read.mismatch is not None:
            if scale_to_fit is None and self.prompt is not None:
                size, image_size = read.mismatch
                if self.prompt(QSize(*size), QSize(*image_size)):
                    self.load(path, rule, True)
                    return
            self._say(read.message)
        elif isinstance(read, str):
            self._say(read)
        elif isinstance(read, LoadedPatch) and not self._apply(read, generation):
            self.load(path, rule, scale_to_fit)  # the mask changed meanwhile: compare again
