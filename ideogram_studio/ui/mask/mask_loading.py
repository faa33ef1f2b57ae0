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
from PIL import Image, ImageChops
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
    """The patch that turns ``snapshot``'s mask into the loaded one (in a worker), or the sentence."""
    if load.coverage is None:
        return load.message
    coverage = snapshot.coverage()
    diff = ImageChops.difference(coverage, load.coverage).getbbox()
    if diff is None:
        return LoadedPatch(QRect(), QImage(), QImage(), load.message)
    # The loaded mask's own known box: around its painted pixels all 0, or around its unpainted ones
    # all 255, whichever box is smaller.
    known = min(
        ((as_rect(load.coverage.getbbox()), 0), (as_rect(ImageChops.invert(load.coverage).getbbox()), 255)),
        key=lambda k: k[0].width() * k[0].height(),
    )
    before, after = alpha8(coverage.crop(diff)), alpha8(load.coverage.crop(diff))
    return LoadedPatch(as_rect(diff), before, after, load.message, known)


def alpha8(pixels: Image.Image) -> QImage:
    """An "L" image as an Alpha8 QImage with pixels of its own, filled by numpy (which lets the GIL go
    while it copies: this runs in a worker beside the GUI thread)."""
    image = QImage(pixels.width, pixels.height, FORMAT)
    rows = np.frombuffer(image.bits(), dtype=np.uint8).reshape(pixels.height, image.bytesPerLine())
    rows[:, : pixels.width] = np.asarray(pixels)
    return image


def as_rect(box: tuple[int, int, int, int] | None) -> QRect:
    """A Pillow box (left, top, right, bottom; None: nothing) as a QRect."""
    if box is None:
        return QRect()
    left, top, right, bottom = box
    return QRect(left, top, right - left, bottom - top)


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
