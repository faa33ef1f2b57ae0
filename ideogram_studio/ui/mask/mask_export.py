"""The mask's files as Edit and Face swap send them, and masks put back on their canvas.

A send exports the mask as the API's file for its operation (its polarity), grown and feathered
(``MaskKey``). An 8K mask's PNG and its check held the window 0.3-0.7 s, so the file is encoded in a
worker (``mask_snapshot``) from a snapshot of the mask, and kept until the mask changes: a send
after the quote encodes nothing. Sends and a quote asked meanwhile wait for it; ``ready`` hands
them back to the panel.

A mask put back on the canvas ("Reuse settings" of a job, "Put back the previous image and its
mask") is made, read and compared with the mask in a worker when it is large (an 8K one held the
window ~0.9 s; a small one is put back at once, as before). Painting meanwhile is held
(``input_hold``) and handed to the canvas once the mask is on it: the stroke lands on top of it, as
it did when the window froze for the load. Sends and the quote wait for it too. A mask reused as it
came is sent byte for byte until it is painted over (``exact``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QSize, Signal

from ...api.images import ImageFile
from ...api.requests import Operation
from ...imaging.mask_export import MaskRule, mask_file_for
from .canvas import MaskCanvas
from .input_hold import InputHold
from .layer import coverage_to_pil
from .mask_file_load import decode_mask_for_image
from .mask_loading import LoadedPatch, compare
from .mask_snapshot import MaskSnapshot, MaskWorker

#: A mask file as exported: for which operation (its polarity), grown and feathered by how much.
MaskKey = tuple[Operation, int, int]
#: A mask with more pixels than this is put back in a worker (the source picker's rule for images:
#: a 4-megapixel one is read and compared in well under 50 ms).
LARGE_MASK_PIXELS = 4_000_000
#: The canvas commands whose keys are held with the painting while a mask is put back.
MASK_COMMANDS = ("undo", "redo", "invert", "clear", "fill")


def read_put(data: bytes, snapshot: MaskSnapshot) -> LoadedPatch | str:
    """A mask file in the API's polarity (black = change), as the canvas's Load mask reads a file named
    mask.png, compared with ``snapshot``: the patch, or the sentence saying why it was not loaded."""
    return compare(decode_mask_for_image(data, "mask.png", MaskRule.API, snapshot.size), snapshot)


@dataclass
class _Put:
    """A mask being put back: how its file is made, the file to send as it is after it (or None), the
    image size it is for, and the file once made (kept when it is compared again)."""

    make: Callable[[], bytes]
    exact: ImageFile | None
    size: QSize
    data: bytes | None = None


class MaskExport(QObject):
    """A canvas's mask as files to send, and masks put back on it. See the module doc."""

    #: What waited for a file or a mask put back: the sends (to the front?), the quote (or None), and
    #: whether the file was made (False: out of memory in the worker; the sends export here).
    ready = Signal(object, object, bool)
    #: A mask put back in a worker is on the canvas (or was refused: the canvas said why).
    landed = Signal()

    def __init__(self, canvas: MaskCanvas, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._canvas = canvas
        #: The mask's files as exported for the mask as it is now (emptied when it changes).
        self._files: dict[MaskKey, ImageFile] = {}
        #: Bumped at every change of the mask: a worker's file of an older mask is dropped.
        self._generation = 0
        self._encoding: tuple[int, MaskKey] | None = None
        #: Sends (to the front?) and a quote waiting for a file or a mask put back.
        self._sends: list[bool] = []
        self._quote: object | None = None
        #: A reused mask file and the undo index it is the canvas's mask at.
        self._exact: tuple[ImageFile, int] | None = None
        self._put: _Put | None = None
        self._encoder = MaskWorker(self)
        self._encoder.finished.connect(self._on_encoded)
        self._reader = MaskWorker(self)
        self._reader.finished.connect(self._on_read)
        targets: list[QObject] = [canvas, canvas.viewport(), *(canvas.action(n) for n in MASK_COMMANDS)]
        self._hold = InputHold(targets, self)
        canvas.mask_changed.connect(self._forget)

    # ---- the files to send -------------------------------------------------------------------
    def exact(self) -> ImageFile | None:
        """The reused mask file, while the canvas's mask is still it (not painted over since)."""
        if self._exact is not None and self._exact[1] == self._canvas.undo_stack().index():
            return self._exact[0]
        return None

    def forget_exact(self) -> None:
        self._exact = None

    def has(self, key: MaskKey) -> bool:
        return key in self._files

    def exported(self, operation: Operation) -> ImageFile:
        """The mask's file for ``operation``: the one the worker made for the mask as it is, or made here."""
        grow, feather = self._canvas.export_options()
        key = (operation, grow, feather)
        file = self._files.get(key)
        if file is None:
            file = mask_file_for(operation, coverage_to_pil(self._canvas.mask_qimage()), grow, feather)
            self._files[key] = file
        return file

    def encode(self, key: MaskKey) -> None:
        """Encode the mask as it is now for ``key`` in a worker (once: a second ask waits for it)."""
        if self._encoding == (self._generation, key):
            return
        generation, snapshot = self._generation, self._canvas.snapshot()
        self._encoding = (generation, key)
        self._encoder.start(lambda: (generation, key, snapshot.file_for(key[0])))

    def wait_send(self, to_front: bool) -> None:
        """A send to hand back (``ready``) once the file it waits for is made, or the mask is back."""
        self._sends.append(to_front)

    def wait_quote(self, request: object) -> None:
        self._quote = request

    def sends_waiting(self) -> bool:
        return bool(self._sends)

    def _forget(self) -> None:
        self._generation += 1
        self._files.clear()

    def _on_encoded(self, _ticket: int, result: object) -> None:
        if isinstance(result, tuple):
            generation, key, file = result
            if self._encoding == (generation, key):
                self._encoding = None
            if generation == self._generation:
                self._files[key] = file
        else:
            self._encoding = None
        self._hand_back(isinstance(result, tuple))

    def hand_back(self) -> None:
        """What waits goes on now, painting held too (the mask it waited for will not come)."""
        self._hold.release()
        self._hand_back(True)

    def _hand_back(self, made: bool) -> None:
        sends, self._sends = self._sends, []
        quote, self._quote = self._quote, None
        self.ready.emit(sends, quote, made)

    # ---- masks put back ----------------------------------------------------------------------
    def expect(self) -> None:
        """A mask is to be put back once its image is in (decoded in a worker): painting is held from
        now on (``put`` follows, or ``hand_back``)."""
        self._hold.start()

    def putting(self) -> bool:
        """A mask is on its way to the canvas (made and read in a worker)."""
        return self._put is not None

    def put(self, make: Callable[[], bytes], exact: ImageFile | None = None) -> bool:
        """Replace the canvas's mask with the file ``make`` makes (black = change; one undo step; the
        canvas says what was loaded, or why not). ``exact``: the file sent as it is until the mask is
        painted over. A large mask is made and read in a worker (``landed`` follows); False: no image,
        or refused (said on the canvas)."""
        canvas = self._canvas
        if not canvas.has_image():
            self._hold.release()
            return False
        put = _Put(make, exact, canvas.image_size())
        self._put = put  # (an older one still on its way is dropped when it comes)
        if put.size.width() * put.size.height() <= LARGE_MASK_PIXELS:
            data = make()
            while (landed := self._land(put, canvas.mask_generation(), read_put(data, canvas.snapshot()))) is None:
                pass  # (a stroke in progress was committed first: compared with it)
            return landed
        self._hold.start()
        self._read(put)
        return True

    def _read(self, put: _Put) -> None:
        snapshot, generation = self._canvas.snapshot(), self._canvas.mask_generation()

        def job() -> tuple[_Put, int, bytes, LoadedPatch | str]:
            data = put.data if put.data is not None else put.make()
            if put.exact is not None:
                put.exact.grey_extrema()  # (checked here: the request's check of the send finds it known)
            return put, generation, data, read_put(data, snapshot)

        self._reader.start(job)

    def _on_read(self, _ticket: int, result: object) -> None:
        if not isinstance(result, tuple):  # (out of memory in the worker)
            if self._put is not None:
                self._canvas.message.emit(f"The mask was not loaded: {result}")
                self._done(self._put)
            return
        put, generation, data, read = result
        if put is not self._put or not isinstance(put, _Put):
            return  # a newer mask was put back meanwhile
        put.data = data
        if self._land(put, generation, read) is None:
            self._read(put)  # the mask changed meanwhile (not by painting: that is held): compared again

    def _land(self, put: _Put, generation: int, read: LoadedPatch | str) -> bool | None:
        """Put ``read`` on the canvas: True, False (refused, or the image was replaced meanwhile by one
        of another size), None (the mask has changed since ``generation``: to compare again)."""
        canvas = self._canvas
        if not canvas.has_image() or canvas.image_size() != put.size:
            self._done(put)
            return False
        if isinstance(read, str):
            canvas.message.emit(read)  # (what the canvas's own Load mask says)
            self._done(put)
            return False
        if not canvas.apply_loaded(read, generation):
            return None
        if put.exact is not None:
            self._exact = (put.exact, canvas.undo_stack().index())
        self._done(put)
        return True

    def _done(self, put: _Put) -> None:
        if put is not self._put:
            return
        self._put = None
        held = self._hold.is_holding()
        self._hold.release()  # the strokes painted meanwhile land on the mask put back
        if held:
            self.landed.emit()
            self._hand_back(True)
