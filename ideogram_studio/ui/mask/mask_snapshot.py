"""A mask exported off the GUI thread: a snapshot taken at once, encoded in a worker.

Encoding an 8K mask as the API's PNG holds the GUI thread 150-370 ms (Pillow's threshold and zlib),
and a request's check decodes it again (~0.1 s). The GUI thread only takes a ``MaskSnapshot``: the
pixels of the layer's known box (a few strokes: a small copy) and the one value around it; the
worker makes the whole coverage again from those (exactly the layer's pixels), then encodes it with
the same functions as the synchronous export, so the bytes are the same. Pillow lets the GIL go
while it thresholds, and its PNG encoder hands over in chunks: the GUI thread's Python keeps running.

``MaskWorker`` runs such jobs on the studio's worker pool (``ui.common.worker_pool``) and hands each
result back through a queued signal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, Signal

from ...api.images import ImageFile
from ...api.requests import Operation
from ...imaging.mask_export import api_mask_png, mask_file_for
from ...imaging.pillow_memory import use_lazily_zeroed_blocks
from ..common import worker_pool
from .layer import MaskLayer


@dataclass(frozen=True)
class MaskSnapshot:
    """The coverage at one moment (255 = change), and the export options then."""

    size: tuple[int, int]
    #: What every pixel outside the box holds.
    outside: int
    #: The box's top-left corner and its pixels (rows × columns); None when every pixel holds ``outside``.
    origin: tuple[int, int]
    inside: np.ndarray | None
    grow: int = 0
    feather: int = 0

    @classmethod
    def of(cls, layer: MaskLayer, grow: int = 0, feather: int = 0) -> MaskSnapshot:
        """``layer`` now: a copy of its known box only (every pixel around it holds one value)."""
        box, outside = layer.known()
        inside = layer.pixels(box) if not box.isEmpty() else None
        return cls((layer.width(), layer.height()), outside, (box.left(), box.top()), inside, grow, feather)

    def coverage(self) -> Image.Image:
        """The whole coverage, pixel for pixel the layer's when the snapshot was taken."""
        whole = Image.new("L", self.size, self.outside)
        if self.inside is not None:
            whole.paste(Image.fromarray(self.inside), self.origin)  # (uint8 rows: "L")
        return whole

    def png(self) -> bytes:
        """The PNG the API gets (black = change), as ``MaskCanvas.export_mask`` makes it."""
        return api_mask_png(self.coverage(), self.grow, self.feather)

    def file_for(self, operation: Operation) -> ImageFile:
        """The mask file sent with ``operation`` (its polarity from the one table), already checked
        the way a request checks it (its extrema are known)."""
        file = mask_file_for(operation, self.coverage(), self.grow, self.feather)
        file.grey_extrema()
        return file

    def save(self, path: Path) -> tuple[Path] | tuple[Path, str]:
        """Write ``png()`` to ``path``: (path,), or (path, the sentence saying why it was not)."""
        try:
            path.write_bytes(self.png())
        except OSError as exc:
            return path, not_saved(path, exc)
        return (path,)


def not_saved(path: Path, exc: OSError) -> str:
    return f"The mask could not be saved to {path.name} ({exc.strerror or exc})."


class MaskWorker(QObject):
    """Runs mask jobs in a worker; ``finished(ticket, result)`` comes back on the GUI thread with the
    job's value, or the OSError / ValueError / MemoryError it raised."""

    finished = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticket = 0

    def start(self, job: Callable[[], object]) -> int:
        self._ticket += 1
        ticket = self._ticket

        def run() -> None:
            use_lazily_zeroed_blocks()  # (a new 8K image's blocks: no memset holding the GIL)
            result: object
            try:
                result = job()
            except (OSError, ValueError, MemoryError) as exc:
                result = exc
            with contextlib.suppress(RuntimeError):  # (the widget was closed meanwhile: nobody waits)
                self.finished.emit(ticket, result)

        worker_pool.start(run)
        return ticket
