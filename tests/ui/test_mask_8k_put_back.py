"""An 8K mask put back on Edit's canvas (issue 15): "Reuse settings" of an Edit job and "Put back the
previous image and its mask" read, encode and compare the 7680×4320 mask in a worker (held until the
GUI thread has turned a few times: on the GUI thread it would never see the gate open), put the same
pixels back as the load on the GUI thread did, send the reused file byte for byte until it is painted
over, and a stroke painted while the mask is on its way lands on top of it, as it did when the
window froze for the load and handled the stroke afterwards."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from PIL import Image, ImageChops

from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import EditRequest
from ideogram_studio.imaging import mask_export as imaging_mask_export
from ideogram_studio.imaging.mask_export import coverage_from_mask
from ideogram_studio.ui.mask.layer import coverage_to_pil
from ideogram_studio.ui.modes import edit as edit_module
from ideogram_studio.ui.modes.edit import EditPanel

from . import test_mask_8k
from .test_mask_8k import EIGHT_K, GATE_WAIT_S, HeldEncoder, decodes_on_the_gui_thread, drag_rect

#: The Edit panel with its canvas beside it, an 8K source on it, a rectangle painted, a prompt.
edit = test_mask_8k.edit


def threads_calling(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[str]:
    """The names of the threads that call ``module``'s ``name`` from now on."""
    threads: list[str] = []
    real = getattr(module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return threads


def coverage_of(panel: EditPanel) -> Image.Image:
    return coverage_to_pil(panel.canvas.mask_qimage())


def reused_job(panel: EditPanel) -> tuple[EditRequest, bytes]:
    """The request the panel sends now (its 8K mask exported here, once), and the coverage that mask
    stands for; then the mask is cleared, as a designer who moved on would have it."""
    request = panel.request()
    assert isinstance(request, EditRequest) and request.mask is not None and request.mask.size == EIGHT_K
    expected = coverage_from_mask(request.operation, request.mask.pil()).tobytes()
    panel.canvas.clear()
    return request, expected


def assert_on_top(coverage: Image.Image, under: Image.Image, box: tuple[int, int, int, int]) -> None:
    """``coverage`` is ``under`` with a rectangle painted over ``box`` (its corners within the few
    image pixels a screen pixel spans at this zoom): the pixels differ only there, and it is whole."""
    left, top, right, bottom = box
    changed = ImageChops.difference(coverage, under).getbbox()
    assert changed is not None
    assert abs(changed[0] - left) < 10 and abs(changed[1] - top) < 10
    assert abs(changed[2] - right) < 10 and abs(changed[3] - bottom) < 10
    assert coverage.crop((left + 10, top + 10, right - 10, bottom - 10)).getextrema() == (255, 255)


def test_reuse_of_an_8k_edit_reads_its_mask_in_a_worker_and_sends_it_byte_for_byte(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    request, expected = reused_job(edit)
    steps = edit.canvas.undo_stack().count()
    gate = HeldEncoder(monkeypatch, "coverage_from_image", edit, imaging_mask_export)  # (decoding the file)
    decoded = decodes_on_the_gui_thread(monkeypatch)
    with qtbot.waitSignal(edit.canvas.message, timeout=GATE_WAIT_S * 2000) as said:
        assert edit.reuse(request)
        gate.arm()
    assert gate.opened == [True] and threading.main_thread().name not in gate.threads
    assert said.args[0].startswith("Loaded mask.png (black = change)")
    assert coverage_of(edit).tobytes() == expected  # the job's mask, pixel for pixel
    assert edit.canvas.undo_stack().count() == steps + 1 and edit.canvas.undo_stack().undoText() == "Load mask"
    qtbot.waitUntil(edit.send_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(edit.submitted, timeout=5000) as sent:
        assert edit.submit()
    assert sent.args[0] == request  # every field, the image and the mask byte for byte
    assert request.mask is not None and request.mask.data not in decoded  # (its check: made in the worker)


def test_a_stroke_painted_while_the_reused_mask_is_read_lands_on_top_of_it(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    request, expected = reused_job(edit)
    canvas = edit.canvas
    gate = HeldEncoder(monkeypatch, "coverage_from_image", edit, imaging_mask_export)
    with qtbot.waitSignal(canvas.message, timeout=GATE_WAIT_S * 2000):
        assert edit.reuse(request)
        drag_rect(canvas, (5000, 3000), (5600, 3400))  # while the mask is on its way
        with qtbot.waitSignal(edit.submitted, timeout=GATE_WAIT_S * 2000) as sent:
            assert edit.submit()  # Ctrl+Enter meanwhile: the send waits for the mask
            assert edit.send_button.text() == "Preparing the mask…"
            gate.arm()
    assert gate.opened[0] and threading.main_thread().name not in gate.threads
    stack = canvas.undo_stack()
    assert [stack.text(i) for i in range(stack.count())][-2:] == ["Load mask", "Add rectangle"]
    assert_on_top(coverage_of(edit), Image.frombytes("L", EIGHT_K, expected), (5000, 3000, 5600, 3400))
    mask = sent.args[0].mask
    assert mask is not None and request.mask is not None and mask.data != request.mask.data  # painted over
    assert coverage_from_mask(request.operation, mask.pil()).tobytes() == coverage_of(edit).tobytes()
    stack.undo()  # the rectangle: the job's mask again, sent as it came
    assert coverage_of(edit).tobytes() == expected and edit.request().mask == request.mask


def test_put_back_encodes_and_reads_the_8k_mask_in_a_worker(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    canvas = edit.canvas
    painted, exported = coverage_of(edit).tobytes(), canvas.export_mask()
    assert edit.source_picker is not None
    small = io.BytesIO()
    Image.new("RGB", (1920, 1080), (200, 120, 40)).save(small, "PNG")
    assert edit.source_picker.set_image_file(ImageFile.from_bytes(small.getvalue(), "small.png"))
    assert canvas.image_size().width() == 1920 and "Put back" in edit.restore_label().text()
    gate = HeldEncoder(monkeypatch, "api_mask_png", edit, edit_module)  # (the PNG made of the mask kept)
    reads = threads_calling(monkeypatch, imaging_mask_export, "coverage_from_image")  # (that PNG read back)
    with qtbot.waitSignal(canvas.message, timeout=GATE_WAIT_S * 2000) as said:
        assert edit.restore_previous()
        assert edit.restore_label().text() == "The previous image and its mask are back."
        drag_rect(canvas, (100, 100), (400, 300))  # meanwhile: lands on top of the mask put back
        gate.arm()
    assert gate.opened == [True] and threading.main_thread().name not in gate.threads + reads
    assert said.args[0].startswith("Loaded mask.png (black = change)")
    assert canvas.image_size().toTuple() == EIGHT_K
    stack = canvas.undo_stack()
    assert [stack.text(i) for i in range(stack.count())] == ["Load mask", "Add rectangle"]
    assert_on_top(coverage_of(edit), Image.frombytes("L", EIGHT_K, painted), (100, 100, 400, 300))
    stack.undo()
    assert coverage_of(edit).tobytes() == painted and canvas.export_mask() == exported  # as it was
