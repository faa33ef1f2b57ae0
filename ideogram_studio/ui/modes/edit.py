"""Edit (inpaint): a source image, the mask painted over it, and what to put there.

``MaskedPanel`` holds what Edit and Face swap share: the source picker feeding the mask canvas,
the mask kept when a new source has the same size (and, when it has not, the old image and mask
kept one click away), the canvas's own reason to refuse a mask shown at the mask, and the mask
exported at send time (black = change, white = keep; see ideogram_studio.imaging.mask_export). A mask
reused from a job is sent byte for byte until it is painted over.

The mask's files and the masks put back on the canvas (reuse, "Put back") are ``MaskExport``'s
(ui/mask/mask_export.py): a large one is encoded or read in a worker, and a send or the service's
quote waits for it ("Preparing the mask…"); the panel only wires it to the form.

The window may show the mask editor in its centre (``detach_editor``) where there is room to paint;
the panel keeps owning it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QDropEvent, QImage, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...api.context_window import ContextWindow
from ...api.images import ImageFile
from ...api.registry import V1_MODEL
from ...api.requests import ApiRequest, EditRequest, Operation
from ...api.v1_quotes import as_v2
from ...api.v2_requests import JSON_PROMPT, V2Request
from ...imaging.mask_export import EMPTY_MASK, api_mask_png, coverage_from_mask
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from ..mask.canvas import MaskCanvas
from ..mask.context_window import ContextWindowTool
from ..mask.editor import MaskEditor
from ..mask.layer import coverage_to_pil
from ..mask.mask_export import MaskExport, MaskKey
from ..widgets.image_drop import result_hash
from .mode_panel import ModePanel, Problem
from .model_fields import model_name, target, unavailable, v2_values
from .model_row import ModelRow
from .precise_edit_box import MAX_REFERENCES_WITH_MASK, PreciseEditBox
from .stand_ins import stand_in
from .structured_field import LABELS as STRUCTURED_LABELS
from .structured_field import StructuredField
from .v2_form import PanelServices, v2_problems

#: The fields of EditRequest shown in the "Edit" form (besides source, mask and prompt).
EDIT_FIELDS = [
    "rendering_speed",
    "num_images",
    "seed",
    "magic_prompt",
    "style_type",
    "style_preset",
    "color_palette",
    "style_codes",
    "style_reference_images",
    "character_reference_images",
    "custom_model_uri",
]
#: What the empty canvas says under its title (the panel's source picker has Open… and Paste).
EMPTY_CANVAS_HINT = "or paste one (Ctrl+V), or choose Open… in the panel"
#: How long the mask must be still before the canvas is asked whether it can be sent.
MASK_CHECK_DELAY_MS = 150
EDITOR_MIN_HEIGHT = 380
#: The send button while a send waits for the mask's file (encoded in a worker), or for a mask put back.
PREPARING_TEXT = "Preparing the mask…"


@dataclass(frozen=True)
class LiveEditRequest(EditRequest):
    """An EditRequest for live checks while the form is edited: the mask's own rules are left to
    the canvas (``check_mask``), so no mask is exported or decoded on every keystroke. Never sent."""

    def check_rules(self) -> None:
        return None


class MaskedPanel(ModePanel):
    """Edit and Face swap: source → canvas → mask."""

    request_class: ClassVar[type[ApiRequest]] = EditRequest

    def __init__(self, parent: QWidget | None = None, *, in_steps: bool = False) -> None:
        self._mask_reason: str | None = None
        self._previous: tuple[ImageFile, str | None, QImage] | None = None
        self._current_source: tuple[ImageFile, str | None] | None = None
        #: A reused or restored source decoded in a worker, and what to do once it is on the canvas.
        self._after_source: tuple[ImageFile, Callable[[], object]] | None = None
        super().__init__(parent, in_steps=in_steps)

    # ---- public ----------------------------------------------------------------------------
    @property
    def canvas(self) -> MaskCanvas:
        return self.mask_editor.canvas()

    def detach_editor(self) -> MaskEditor:
        """Take the mask editor out of the panel (the window shows it in its centre); the panel
        shows a pointer to it instead."""
        self._editor_slot.layout().removeWidget(self.mask_editor)  # type: ignore[union-attr]
        self._editor_slot.hide()
        self._editor_hint.show()
        self.mask_editor.setMinimumHeight(0)
        # Ctrl+Enter sends from the canvas too, wherever the window shows it.
        self.mask_editor.addActions([self.send_action, self.front_action])
        self.update_minimum_width()
        return self.mask_editor

    def is_editor_detached(self) -> bool:
        return self._editor_hint.isVisibleTo(self)

    def mask_message(self) -> FieldMessage:
        """Where the canvas's reason to refuse the mask is shown."""
        return self._mask_message

    def restore_label(self) -> QLabel:
        """Offers to put back the previous image and its mask after a source of another size."""
        return self._restore_label

    def restore_previous(self) -> bool:
        """Put back the image (and the mask painted on it) that a new source of another size replaced."""
        if self._previous is None or self.source_picker is None:
            return False
        image, origin, coverage = self._previous
        self._previous = None
        if not self.source_picker.set_image_file(image, origin, convert=False, in_worker=True):
            return False

        def put_back() -> None:  # (a large image and its mask are decoded, encoded and read in workers)
            self.mask_export.put(lambda: api_mask_png(coverage_to_pil(coverage)))
            if self._previous is None:
                self._restore_label.setText("The previous image and its mask are back.")
                self._restore_label.show()

        self._when_source_is_in(image, put_back)
        return True

    def load_mask_file(self, mask: ImageFile) -> bool:
        """Load a mask in the API's polarity (black = change) onto the canvas, sent as it is until
        it is painted over (a large one is read in a worker: True then means it is on its way)."""
        return self.mask_export.put(lambda: mask.data, exact=mask)

    def request(self) -> ApiRequest:
        self._mask_reason = self.canvas.check_mask() if self.canvas.has_image() else None
        return super().request()

    def submit(self, to_front: bool = False) -> bool:
        """As every panel's, but a mask not exported yet is encoded in a worker first, and a mask on
        its way back to the canvas is waited for; the send follows once the mask's file is ready (a
        blocked form shows why at once, and encodes nothing)."""
        putting = self._mask_on_its_way()
        if not putting:
            self._mask_reason = self.canvas.check_mask() if self.canvas.has_image() else None
        key = None if putting else self._mask_key()
        if not putting and (key is None or self.mask_export.has(key)):
            return super().submit(to_front)
        self._attempted = True
        problems = self._problems_of(self._build(final=False))  # (the mask's own: check_mask's)
        if problems:
            self._refresh()
            self._focus_field(problems[0].field)
            return False
        if self._busy:
            return False
        self.mask_export.wait_send(to_front)
        if key is not None:
            self.mask_export.encode(key)
        self._update_send(self._problems)  # (the button says the send is on its way)
        return True

    def _update_send(self, problems: list[Problem]) -> None:
        super()._update_send(problems)
        if self.mask_export.sends_waiting() and not self._busy:
            self.send_button.setText(PREPARING_TEXT)

    # ---- building --------------------------------------------------------------------------
    def _setup_editor(self, form: QVBoxLayout, hint: str, empty_title: str = "Drop a photo here") -> None:
        """The mask editor (in a slot of the form), the pointer shown when it is detached, and
        the messages about the mask."""
        self.mask_editor = MaskEditor(self.body)
        self.mask_editor.setMinimumHeight(EDITOR_MIN_HEIGHT)
        self.mask_editor.canvas().set_empty_text(empty_title, EMPTY_CANVAS_HINT)
        self._editor_slot = QWidget(self.body)
        slot_layout = QVBoxLayout(self._editor_slot)
        slot_layout.setContentsMargins(0, 0, 0, 0)
        slot_layout.addWidget(self.mask_editor)
        self._editor_slot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        form.addWidget(self._editor_slot, 1)
        self._editor_hint = QLabel(hint, self.body)
        self._editor_hint.setObjectName("editorHint")
        self._editor_hint.setWordWrap(True)
        mute(self._editor_hint, 0.3)
        self._editor_hint.hide()
        form.addWidget(self._editor_hint)
        self._mask_message = self.add_message(["mask"], self.mask_editor.canvas())
        self._restore_label = QLabel(self.body)
        self._restore_label.setObjectName("restoreLabel")
        self._restore_label.setWordWrap(True)
        self._restore_label.setTextFormat(Qt.TextFormat.RichText)
        self._restore_label.linkActivated.connect(lambda _link: self.restore_previous())
        self._restore_label.hide()
        form.addWidget(self._restore_label)

        self._mask_timer = QTimer(self)
        self._mask_timer.setSingleShot(True)
        self._mask_timer.setInterval(MASK_CHECK_DELAY_MS)
        self._mask_timer.timeout.connect(self._check_mask_now)
        canvas = self.mask_editor.canvas()
        canvas.mask_changed.connect(self._mask_timer.start)
        self.mask_export = MaskExport(canvas, self)
        self.mask_export.ready.connect(self._on_mask_ready)
        self.mask_export.landed.connect(self._check_mask_now)
        canvas.installEventFilter(self)
        canvas.viewport().installEventFilter(self)
        assert self.source_picker is not None
        self.source_picker.image_changed.connect(self._on_source_changed)
        self.source_picker.refused.connect(self._on_source_refused)

    def _mask_for(self, final: bool) -> ImageFile | None:
        picker = self.source_picker
        if picker is None or picker.image() is None or not self.canvas.has_image():
            return None
        if not final or self._mask_reason is not None:
            return stand_in("mask")  # live checks leave the mask to the canvas
        exact = self.mask_export.exact()
        return exact if exact is not None else self.mask_export.exported(Operation.EDIT)  # (the one table's polarity)

    # ---- the mask's file ---------------------------------------------------------------------
    def _mask_key(self) -> MaskKey | None:
        """The mask file a send exports (operation, grow, feather); None: it exports none (no image,
        a mask the canvas refuses, a reused mask sent as it came)."""
        picker = self.source_picker
        if picker is None or picker.image() is None or not self.canvas.has_image() or self._mask_reason:
            return None
        if self.mask_export.exact() is not None:
            return None
        return (Operation.EDIT, *self.canvas.export_options())

    def _on_mask_ready(self, sends: list[bool], quote: object | None, made: bool) -> None:
        """The sends and the quote that waited for the mask's file (or for a mask put back) go on."""
        for to_front in sends:  # (the mask changed meanwhile: they wait for the new one's file)
            if made:
                self.submit(to_front)
            else:  # (out of memory in the worker: they export here, or say why they cannot)
                super().submit(to_front)
        if sends:
            self._update_send(self._problems)
        if quote is not None and self.quote_line().is_asking(quote):
            self._ask_quote(quote)

    def _edit_request(self, final: bool, **fields: Any) -> EditRequest:
        assert self.source_picker is not None
        cls = EditRequest if final and self._mask_reason is None else LiveEditRequest
        return cls(
            image=self.source_picker.image(),
            mask=self._mask_for(final),
            prompt=self.prompt_text(),
            **fields,
        )

    def _extra_problems(self, request: ApiRequest) -> list[Problem]:
        if self.source_picker is None or self.source_picker.image() is None or self._mask_reason is None:
            return []
        return [Problem("mask", self._mask_reason, missing=self._mask_reason == EMPTY_MASK)]

    def _set_edit_request(self, request: EditRequest, fields: dict[str, Any] | None = None) -> None:
        """The shared part of set_request: source (byte-exact), mask (byte-exact), prompt."""
        assert self.source_picker is not None
        self._loading += 1
        try:
            if request.image is not None:  # (a large one is decoded in a worker, its mask read in another)
                self.source_picker.set_image_file(request.image, None, convert=False, in_worker=True)
            mask = request.mask
            if mask is not None:
                self._when_source_is_in(request.image, lambda: self.load_mask_file(mask))
            self.set_prompt(request.prompt)
            if self.fields is not None:
                self.fields.set_values(request)
        finally:
            self._loading -= 1
        self._check_mask_now()

    # ---- internals -------------------------------------------------------------------------
    def _when_source_is_in(self, image: ImageFile | None, then: Callable[[], object]) -> None:
        """``then`` now (with an image on the canvas), or once ``image``, decoded in a worker, is on
        it; dropped when another image comes first or it is refused (the sends waiting go on)."""
        picker = self.source_picker
        if picker is not None and picker.is_loading() and image is not None:
            self._after_source = (image, then)
            self.mask_export.expect()  # (a stroke meanwhile lands on the mask put back, as it did)
        elif self.canvas.has_image():
            then()

    def _source_is_in(self, image: ImageFile | None) -> None:
        after, self._after_source = self._after_source, None
        if after is not None and after[0] is image:
            after[1]()
        elif after is not None:
            self.mask_export.hand_back()

    @Slot(str)
    def _on_source_refused(self, _why: str) -> None:
        if self._after_source is not None and self.source_picker is not None and not self.source_picker.is_loading():
            self._source_is_in(None)

    def _mask_on_its_way(self) -> bool:
        """A mask is being put back (or waits for its source, decoded in a worker)."""
        return self.mask_export.putting() or self._after_source is not None

    def _hide_restore(self) -> None:
        self._restore_label.hide()
        self._restore_label.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Ctrl+V on the canvas pastes a new source image (the canvas has no use for the clipboard).
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Paste)
            and self.source_picker is not None
        ):
            self.source_picker.paste()
            return True
        # A file dropped on the empty canvas is the source image, not a mask; so is a studio result
        # dragged from the strip, the batch grid or the viewer (a mask is never a generated image).
        if (
            event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
            and isinstance(event, QDropEvent)
            and self.source_picker is not None
            and (result_hash(event.mimeData()) or not self.canvas.has_image())
            and (event.mimeData().hasUrls() or event.mimeData().hasImage())
        ):
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                self.source_picker.load_mime(event.mimeData())
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_source_changed(self) -> None:
        picker = self.source_picker
        assert picker is not None
        qimage = picker.qimage()
        if qimage.isNull():
            self._source_is_in(None)
            return
        canvas = self.canvas
        old = canvas.image_size() if canvas.has_image() else QSize()
        painted = canvas.has_image() and canvas.coverage_ratio() > 0
        old_image = self._current_source
        if painted and old != qimage.size() and old_image is not None:
            self._previous = (old_image[0], old_image[1], canvas.mask_qimage())
        canvas.set_image(qimage, keep_mask=True)
        image = picker.image()
        assert image is not None
        self._current_source = (image, picker.origin_hash())
        if not painted:
            self._hide_restore()
        elif old == qimage.size():
            self._restore_label.setText("The new image has the same size: your painted mask was kept.")
            self._restore_label.show()
        else:
            self.mask_export.forget_exact()
            self._restore_label.setText(
                f"The new image is {qimage.width()}×{qimage.height()} (the previous one was "
                f"{old.width()}×{old.height()}), so the painted mask was cleared. "
                '<a href="restore">Put back the previous image and its mask</a>'
            )
            self._restore_label.show()
        self._source_is_in(image)  # (its mask, reused or put back, follows it)
        self._check_mask_now()

    @Slot()
    def _check_mask_now(self) -> None:
        self._mask_timer.stop()
        # (a mask on its way back is judged once it is on the canvas: a send or quote waits for it)
        reason = self.canvas.check_mask() if self.canvas.has_image() and not self._mask_on_its_way() else None
        self._mask_reason = reason
        self._refresh()


class EditPanel(MaskedPanel):
    """Edit: paint what to change, say what to put there. The model picker offers Ideogram 3.0's
    inpaint, Precise Edit 4.5 (a context window, reference images, quality; the mask optional) and
    remove object (no prompt; the same painting exported the other way round, see
    imaging/mask_export.EXPORT_POLARITY). Precise Edit takes Ideogram 4's structured prompt too: the
    box under the prompt (Expand in the source's shape, the JSON checked and sent instead of the
    sentence), without Generate's layout editor: Edit's centre is the mask canvas."""

    #: Expand's sentence (the window asks the controller; set_structured_prompt answers).
    expand_requested = Signal(str)

    mode_name = "Edit"
    send_text = "Edit"
    prompt_noun = "what to put in the painted area"

    def _setup_body(self, form: QVBoxLayout) -> Iterator[None]:
        self._model_problems: dict[str, str] = {}
        self.model_row = ModelRow(Operation.EDIT, self.body)
        form.addWidget(self.model_row)
        yield
        self.make_source_picker("Edit", allow_clear=False)
        yield
        self._setup_editor(form, EDIT_HINT, "Drop the image to edit here")
        self.context_tool = ContextWindowTool(self.canvas)
        yield
        self.make_prompt(
            "Prompt",
            "What to put in the painted area…",
            "Describe what the painted area should become.",
        )
        assert self.prompt_edit is not None
        # The prompt's heading row (made by make_prompt just above it) hides with it for remove object.
        item = self.form.itemAt(self.form.indexOf(self.prompt_edit) - 1)
        header = item.layout() if item is not None else None
        self._prompt_rows: list[QWidget] = [self.prompt_edit]
        for i in range(header.count() if header is not None else 0):
            part = header.itemAt(i) if header is not None else None
            widget = part.widget() if part is not None else None
            if widget is not None:
                self._prompt_rows.append(widget)
        self.structured = StructuredField(self, form, lambda: None, offers_layout=False)
        self.structured_box = self.structured.box
        assert self.source_picker is not None  # Expand places the boxes for the source's shape
        self.source_picker.image_changed.connect(self._on_source_for_expand)
        self.precise_box = PreciseEditBox(self.context_tool, self.body)
        form.addWidget(self.precise_box)
        self.register("context_window", self.precise_box.window_message, self.precise_box.draw_button)
        self.register("reference_images", self.precise_box.references_message, self.precise_box.references)
        self.precise_box.changed.connect(self._on_changed)
        yield
        yield from self.fields_in_steps(EDIT_FIELDS, style_expanded=False)
        yield
        self.register("quality", self.model_row.quality_message, self.model_row.quality_combo)
        self.model_row.changed.connect(self._on_changed)
        self.model_row.model_changed.connect(self._on_model_changed)
        self._on_model_changed()

    # ---- the model -------------------------------------------------------------------------
    def model(self) -> str:
        return self.model_row.model()

    def set_model(self, model: str) -> None:
        self.model_row.set_model(model)

    def target_operation(self) -> Operation:
        goal = target(Operation.EDIT, self.model())
        return goal.operation if goal is not None else Operation.EDIT

    def _on_model_changed(self) -> None:
        assert self.fields is not None
        model, op = self.model(), self.target_operation()
        reasons = unavailable(Operation.EDIT, model, self.fields.names())
        self.fields.set_unavailable(reasons)
        who = model_name(Operation.EDIT, model)
        own: dict[str, str] = {}
        precise, remove = op is Operation.PRECISE_EDIT, op is Operation.REMOVE_OBJECT
        self.precise_box.setVisible(precise)
        self.context_tool.set_shown(precise)
        if not precise:
            own["context_window"] = f"{who} takes no context window: Precise Edit 4.5 does."
            own["reference_images"] = f"{who} takes no reference images: Precise Edit 4.5 does (up to 4)."
        for widget in self._prompt_rows:
            widget.setVisible(not remove)
        goal = target(Operation.EDIT, model)
        own.update(self.structured.unavailable(goal, who))
        if remove:
            own["prompt"] = "Remove object takes no prompt: it fills what you paint from its surroundings."
            own[JSON_PROMPT] = "Remove object takes no prompt, structured or not."
        self.structured.model_changed(goal)
        self._editor_hint.setText(REMOVE_HINT if remove else EDIT_HINT)
        self.model_row.show_unavailable({**reasons, **own}, {**OWN_ROWS, **STRUCTURED_LABELS})
        self._check_mask_now()

    # ---- the request -----------------------------------------------------------------------
    def _build(self, final: bool) -> ApiRequest:
        model, op = self.model(), self.target_operation()
        if model == V1_MODEL:
            return self._edit_request(final, **self.field_values())
        assert self.source_picker is not None
        form = {**self.field_values(), "quality": self.model_row.quality()}
        values, self._model_problems = v2_values(Operation.EDIT, model, self.prompt_text(), form)
        self._model_problems.update(self.structured.apply(values, target(Operation.EDIT, model)))
        uploads: dict[str, tuple[ImageFile, ...]] = {}
        image = self.source_picker.image()
        if image is not None:
            uploads["image"] = (image,)
        if op is Operation.PRECISE_EDIT:
            window = self.context_tool.window()
            if window is not None:
                values["context_window"] = window.to_field()
            references = self.precise_box.references.images()
            if references:
                uploads["reference_images"] = tuple(references)
        mask = self._v2_mask(op) if final else None
        if mask is not None:
            uploads["mask"] = (mask,)
        return V2Request.build(op, model, values, uploads)  # type: ignore[return-value]

    def _v2_mask(self, op: Operation) -> ImageFile | None:
        """The painting exported for ``op`` (its polarity from the one table), or None: no mask to
        send (Precise Edit without painting) or one the canvas refuses (shown at the mask)."""
        if self.source_picker is None or self.source_picker.image() is None or not self.canvas.has_image():
            return None
        if self._mask_reason is not None:
            return None
        return self.mask_export.exported(op)

    def _mask_key(self) -> MaskKey | None:
        if self.model() == V1_MODEL:
            return super()._mask_key()
        picker = self.source_picker  # (as _v2_mask: a reused mask is exported again for a 4.x model)
        if picker is None or picker.image() is None or not self.canvas.has_image() or self._mask_reason:
            return None
        return (self.target_operation(), *self.canvas.export_options())

    def _problems_of(self, request: ApiRequest) -> list[Problem]:
        if not isinstance(request, V2Request):
            return super()._problems_of(request)
        # The mask is the canvas's to judge (it is exported only when sending): not "missing" here.
        problems = [p for p in v2_problems(self, request, self._model_problems) if p.field != "mask"]
        has_image = self.source_picker is not None and self.source_picker.image() is not None
        reason = self._mask_reason if has_image else None
        painted = has_image and reason != EMPTY_MASK
        if request.operation is Operation.REMOVE_OBJECT and reason is not None:
            text = "Paint what to remove first." if reason == EMPTY_MASK else reason
            problems.insert(0, Problem("mask", text, missing=reason == EMPTY_MASK))
        if request.operation is Operation.PRECISE_EDIT:
            if reason is not None and reason != EMPTY_MASK:
                problems.insert(0, Problem("mask", reason))
            self.precise_box.set_has_mask(painted)
            count = len(self.precise_box.references.images())
            if painted and count > MAX_REFERENCES_WITH_MASK:
                problems.append(Problem("reference_images", f"With a mask, Precise Edit takes at most "
                                        f"{MAX_REFERENCES_WITH_MASK} reference images ({count} added): remove "
                                        "one, or clear the mask."))  # fmt: skip
        return problems

    def _show_advice(self, request: ApiRequest) -> None:
        super()._show_advice(request)
        self.structured.show_advice(request)

    # ---- the structured prompt ---------------------------------------------------------------
    def set_structured_prompt(self, prompt: object) -> None:
        """Expand's answer (None: it could not; the status line says why)."""
        self.structured.set_value(prompt)

    def connect_services(self, services: PanelServices) -> None:
        super().connect_services(services)
        self.structured.connect_services(services)

    @Slot()
    def _on_source_for_expand(self) -> None:
        picker = self.source_picker
        self.structured.use_reference(picker.qimage() if picker is not None and picker.image() is not None else None)

    def _update_send(self, problems: list[Problem]) -> None:
        super()._update_send(problems)
        if self.target_operation() is Operation.REMOVE_OBJECT:  # the button says what it will do
            if not self._busy and not self.mask_export.sends_waiting():
                self.send_button.setText(REMOVE_TEXT)
            if self.send_button.isEnabled():
                self.send_button.setToolTip(f"{REMOVE_TEXT} (Ctrl+Enter). Ctrl+Shift+Enter: front of the queue.")

    def _quote_request(self, request: Any) -> V2Request | None:
        # Priced as it will be sent: with the mask exported (the live request leaves it to the
        # canvas). Asked once the form has settled, never per stroke; a mask not encoded yet is
        # encoded in a worker first (or a mask on its way back waited for), and the quote asked
        # when its file is ready.
        if self._mask_on_its_way():
            self.mask_export.wait_quote(request)
            return None
        key = self._mask_key()
        if key is not None and not self.mask_export.has(key):
            self.mask_export.wait_quote(request)
            self.mask_export.encode(key)
            return None
        return as_v2(self._build(final=True))

    def set_request(self, request: ApiRequest) -> None:
        if isinstance(request, V2Request) and request.operation in (Operation.PRECISE_EDIT, Operation.REMOVE_OBJECT):
            self._set_v2_request(request)
            return
        if not isinstance(request, EditRequest):
            raise TypeError(f"EditPanel takes an EditRequest, not {type(request).__name__}")
        self.model_row.set_model(V1_MODEL)
        self._set_edit_request(request)

    def _set_v2_request(self, request: V2Request) -> None:
        assert self.source_picker is not None
        self._loading += 1
        try:
            self.model_row.set_model(request.model)
            image = (request.uploads.get("image") or (None,))[0]
            if isinstance(image, ImageFile):  # (a large one is decoded in a worker, its mask in another)
                self.source_picker.set_image_file(image, None, convert=False, in_worker=True)
            mask = (request.uploads.get("mask") or (None,))[0]
            if isinstance(mask, ImageFile):
                operation, file = request.operation, mask
                self._when_source_is_in(
                    image if isinstance(image, ImageFile) else None,
                    lambda: self.mask_export.put(lambda: api_mask_png(coverage_from_mask(operation, file.pil()))),
                )
            self.set_prompt(str(request.values.get("prompt", "")))
            self.structured_box.set_value(request.json_prompt)
            self.model_row.set_quality(request.values.get("quality"))
            window = request.values.get("context_window")
            self.context_tool.set_window(ContextWindow.parse(window) if isinstance(window, str) else None)
            refs = [f for f in request.uploads.get("reference_images") or () if isinstance(f, ImageFile)]
            self.precise_box.references.set_images(refs)
        finally:
            self._loading -= 1
        self._check_mask_now()

    def state(self) -> dict[str, Any]:
        """As every panel's, from the Ideogram 3.0 request (every field the form has), plus the model."""
        state = super().state() if self.model() == V1_MODEL else {
            **super().state(), "fields": self._edit_request(False, **self.field_values()).fields_json()}  # fmt: skip
        return {**state, "model": self.model(), "quality": self.model_row.quality(),
                "structured_prompt": self.structured_box.text()}  # fmt: skip

    def restore_state(self, state: dict[str, Any]) -> None:
        super().restore_state(state)
        if isinstance(state, dict):
            self.model_row.restore(state.get("model"), state.get("quality"))
            if isinstance(state.get("structured_prompt"), str):
                self.structured_box.set_text(str(state["structured_prompt"]))


EDIT_HINT = ("Paint over what to change on the image in the middle of the window "
             "(B brush, E eraser, [ ] size, Shift+V invert).")  # fmt: skip
REMOVE_HINT = ("Paint over what to remove on the image in the middle of the window: it is filled from its "
               "surroundings (B brush, E eraser, [ ] size).")  # fmt: skip
#: The send button's words for remove object (Edit's for the other models).
REMOVE_TEXT = "Remove object"
#: Edit's own rows named in the model row's "not used" line.
OWN_ROWS = {"context_window": "Context window", "reference_images": "Reference images", "prompt": "Prompt"}
