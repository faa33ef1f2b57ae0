"""The one base of every mode panel (Generate, Remix, Edit, Face swap, Reframe, Replace background):
a scrolled form and, under it, the footer with the cost estimate, the reason sending is blocked and
the send button (see send_footer.py).

One rule mechanism: the panel builds its request, ``validate()`` names the field that breaks a rule,
and the message is shown at that field. A panel adds only what the request cannot know (e.g. the
canvas's reason to refuse a mask). Required fields left empty are pointed out once the designer
tries to send, not while they are still filling the form in.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from ...api.errors import RequestValidationError
from ...api.images import ImageFile
from ...api.requests import ApiRequest, GenerateRequest
from ...api.v2_requests import V2Request
from ..common import theme
from ..common.field_errors import FieldMessage, describe
from ..common.in_steps import InSteps, Steps
from ..common.theme import mute
from ..widgets.collapsible import CollapsibleSection
from ..widgets.prompt_edit import PromptEdit
from .field_widgets import field_label
from .request_fields import FIELD_LABELS, RequestFields
from .send_footer import build_footer, show_cost, submit_on_ctrl_enter
from .stand_ins import stand_in

if TYPE_CHECKING:
    from .quote_line import QuoteLine
    from .source_image import SourceImagePicker

STATE_VERSION = 1
LABELS = {
    **FIELD_LABELS,
    "image": "Source image",
    "mask": "Mask",
    "image_weight": "Image weight",
}


class Problem(NamedTuple):
    """Something that blocks sending. ``missing``: a required field still empty, shown at the
    field only after a send attempt (the button's tooltip says it at once)."""

    field: str
    text: str
    missing: bool = False


class ModePanel(QWidget):
    """Base of the six mode panels.

    Subclasses set the class attributes, build their widgets in ``_setup_body``, and implement
    ``_build`` (the request as the form shows it) and ``set_request`` (fill the form from one).
    """

    #: (request, to_front): a valid request to queue.
    submitted = Signal(object, bool)
    #: Any field changed.
    changed = Signal()
    #: Ctrl+Up in the prompt field: show the prompt library under this field (the PromptEdit).
    prompt_library_requested = Signal(object)
    #: A settled form's request to price, as a V2Request (the window asks the controller; show_quote answers).
    quote_requested = Signal(object)
    _quote_line: QuoteLine | None = None

    request_class: ClassVar[type[ApiRequest]]
    #: The mode's name in messages ("Edit").
    mode_name: ClassVar[str] = ""
    #: The send button's text.
    send_text: ClassVar[str] = "Send"
    #: Stored with each result as its operation (see jobs/gallery_store.py), when not the endpoint's.
    operation_label: ClassVar[str | None] = None
    #: What an empty prompt is called in messages.
    prompt_noun: ClassVar[str] = "a prompt"
    #: What sending is called in hints and tooltips ("Ctrl+Enter sends", "Can't send yet").
    send_verb: ClassVar[str] = "send"
    #: Whether the footer names a required field still empty (quietly) before any attempt to send.
    footer_names_missing: ClassVar[bool] = True
    #: Whether the panel can leave its request fields' rows for after its first paint (`rows_later`).
    rows_after_first_paint: ClassVar[bool] = False
    #: How tall those rows are, in lines of text (their place is kept meanwhile).
    rows_lines: ClassVar[int] = 0
    #: Sections of themes/widgets.qss the panel's footer wears (theme.apply_style).
    style_sections: ClassVar[tuple[str, ...]] = ("mode-footer",)

    def __init__(self, parent: QWidget | None = None, *, in_steps: bool = False) -> None:
        """`in_steps`: made by `made_in_steps` (the rest is in `building`); else made whole now."""
        super().__init__(parent)
        #: The request fields' rows are left for `rows_left()` (made_in_steps' `rows_later`).
        self._rows_later = False
        #: The request fields' rows still to make, then what waits for them (`when_rows`); None once made.
        self._rows: InSteps[None] | None = None
        self._making_rows = False
        self._when_rows: list[Callable[[], object]] = []
        self._rows_place: QWidget | None = None
        self._loading = 0
        self._busy = False
        self._attempted = False
        self._fit_pending = False  # (the panel's minimum width, measured after the form's layout)
        self._problems: list[Problem] = []
        self._messages: dict[str, FieldMessage] = {}
        self._focus: dict[str, QWidget] = {}
        self._sections: dict[str, CollapsibleSection] = {}
        self.source_picker: SourceImagePicker | None = None
        self.prompt_edit: PromptEdit | None = None
        #: Each prompt field's key hint, named from the keys as they are (_say_prompt_keys).
        self._prompt_hints: list[tuple[QLabel, PromptEdit]] = []
        self._fields: RequestFields | None = None
        #: What is left to make of the panel, a piece at a time (empty once made).
        self.building: Iterator[None] = self._build_steps()
        if not in_steps:
            for _ in self.building:
                pass

    @classmethod
    def made_in_steps(cls, parent: QWidget | None = None, *, rows_later: bool = False) -> Steps[ModePanel]:
        """The panel made a piece at a time (ui/common/in_steps.py: made ahead in quiet moments, each
        piece a few milliseconds of the GUI thread): the frame, the parts of the form (a panel's
        `_setup_body` may yield between them), the footer, the first check of the form. `rows_later`
        (a panel that can: rows_after_first_paint): its request fields' rows are left for `rows_left()`."""
        panel = cls(parent, in_steps=True)
        panel._rows_later = rows_later and panel.rows_after_first_paint
        yield
        yield from panel.building
        return panel

    def _build_steps(self) -> Iterator[None]:
        self._loading += 1
        try:
            self._setup_frame()
            body = self._setup_body(self.form)
            if body is not None:
                yield
                yield from body
            self.form.addStretch(1)
            yield
            self._setup_footer()
        finally:
            self._loading -= 1
        yield
        self._built()
        # The minimum width follows the form's layout from now on (not at each part made in steps).
        self.body.installEventFilter(self)
        self.update_minimum_width()
        self._send_before_rows()
        self._refresh()

    # ---- the rows after the first paint ------------------------------------------------------
    # The first panel at start-up (MainWindow.open_frame) is made with `rows_later`: its request
    # fields' rows (Generate: the negative prompt down to the references, ~40 ms of the GUI thread
    # with their first layout and paint) are made once the prompt has been painted and takes typing,
    # a group per turn of the event loop (app.py), and shown at once when all are there. Meanwhile the
    # form is "loading" (no check, no price: the footer's figure comes with the rows), and anything
    # that asks for the rows (`fields`, a panel's row widgets, its state) makes them first, then
    # applies what waits for them (`when_rows`: restored values, defaults): nothing sees half a form.
    @property
    def fields(self) -> RequestFields | None:
        """The request fields' rows (None: the mode has none); made now if they were still to come."""
        self.finish_rows()
        return self._fields

    def rows_left(self) -> InSteps[None] | None:
        """The request fields' rows still to make (a step each), or None: they are all there."""
        return self._rows

    def rows_pending(self) -> bool:
        return self._rows is not None

    def finish_rows(self) -> None:
        """Make the rows left, and apply what waits for them, now (nothing if all are there)."""
        if self._rows is not None and not self._making_rows:
            self._rows.finish()

    def when_rows(self, then: Callable[[], object]) -> None:
        """`then()` once the rows are there: now, or right after they are made."""
        if self._rows is None:
            then()
        else:
            self._when_rows.append(then)

    def _rows_in_steps(self, fields: RequestFields, place: QWidget) -> Steps[None]:
        building = fields.building
        while True:
            # (while a group is made, `fields` does not ask this generator again: it is running)
            self._making_rows = True
            try:
                next(building)
            except StopIteration:
                break
            finally:
                self._making_rows = False
            yield
        try:
            self._rows = None
            self._connect_fields(fields)
            place.hide()
            place.deleteLater()
            self._rows_place = None
            fields.show()
            for then in self._when_rows:
                then()
            self._when_rows.clear()
            self._rows_made()
        finally:
            self._loading -= 1
        self._refresh()

    def keep_rows_place(self, lines: float) -> None:
        """While the rows are to come, keep them a place `lines` of text high (a restored form: as tall
        as its rows were when it was saved, which depends on the model and the sections open)."""
        if self._rows_place is not None:
            self._rows_place.setFixedHeight(round(max(0.0, min(lines, 200.0)) * self.fontMetrics().lineSpacing()))

    def _rows_height_lines(self) -> float:
        """How tall the rows are now, in lines of text (saved with a form's state: keep_rows_place)."""
        fields = self._fields
        if fields is None:
            return 0.0
        for layout in fields.findChildren(QLayout):  # (measured afresh: see update_minimum_width)
            layout.invalidate()
        return round(fields.sizeHint().height() / self.fontMetrics().lineSpacing(), 1)

    def _send_before_rows(self) -> None:
        """While the rows are to come (no check of the form yet), the send button as it will most
        likely be: blocked by an empty prompt only."""
        if self._rows is not None:
            empty = not self.prompt_text().strip()
            self._update_send([Problem("prompt", self._missing_text("prompt"), True)] if empty else [])

    def _rows_made(self) -> None:
        """Once rows made later are there and what waited for them applied (before the first check)."""

    # ---- to implement ----------------------------------------------------------------------
    def _setup_body(self, form: QVBoxLayout) -> Iterator[None] | None:
        """The form's widgets; written as a generator, it yields between parts of a few milliseconds."""
        raise NotImplementedError

    def _built(self) -> None:
        """Once the panel is whole (its footer too), before its first check."""

    def _build(self, final: bool) -> ApiRequest:
        """The request as the form shows it, not validated. ``final``: for sending (exports the
        mask for real); otherwise cheap stand-ins may be used for live checks."""
        raise NotImplementedError

    def set_request(self, request: ApiRequest) -> None:
        """Fill every field exactly from a request ("reuse settings")."""
        raise NotImplementedError

    def reuse(self, request: object) -> bool:
        """set_request if the panel takes this request ("reuse settings"; a panel with v2 models
        takes their requests too); False: it does not."""
        if not isinstance(request, self.request_class):
            return False
        self.set_request(request)
        return True

    def _extra_problems(self, request: ApiRequest) -> list[Problem]:
        """What blocks sending that the request's own rules do not cover."""
        return []

    def _priced_request(self, request: ApiRequest) -> ApiRequest:
        """The request the cost estimate is for (a panel may price what it is about to need)."""
        return request

    # ---- public ----------------------------------------------------------------------------
    def draft(self) -> ApiRequest:
        """The request as the form shows it, not validated (a batch expands its prompt first)."""
        return self._build(final=False)

    def request(self) -> ApiRequest:
        """The request to send; raises RequestValidationError naming the field that blocks it."""
        request = self._build(final=True)
        problems = self._problems_of(request)
        if problems:
            raise RequestValidationError(problems[0].field, problems[0].text)
        return request

    def submit(self, to_front: bool = False) -> bool:
        """Send as Ctrl+Enter does; a blocked form shows why at the field and sends nothing."""
        self._attempted = True
        try:
            request = self.request()
        except RequestValidationError as exc:
            self._refresh()
            self._focus_field(exc.field)
            return False
        if self._busy:
            return False
        if self.prompt_edit is not None:
            self.prompt_edit.add_to_history(self.prompt_edit.text())
        self._attempted = False
        self._refresh()
        self.submitted.emit(request, to_front)
        return True

    def tags(self) -> dict[str, Any] | None:
        """Tags to queue the job with (the operation label for the gallery)."""
        return {"operation_label": self.operation_label} if self.operation_label else None

    def set_source(self, image: ImageFile, origin_hash: str | None = None) -> bool:
        """Use a library image as the source ("Send to…")."""
        assert self.source_picker is not None
        return self.source_picker.set_image_file(image, origin_hash)

    def set_character(self, image: ImageFile) -> bool:
        """Use this image as the character to keep ("Use as face-swap character"); False if the
        mode takes none."""
        return False

    def add_style_reference(self, image: ImageFile) -> bool:
        if self.fields is None or not self.fields.has("style_reference_images"):
            return False
        added = self.fields.style_refs.add_image(image)
        if added:
            self.fields.sections()["style_reference_images"].set_expanded(True)
        return added

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._refresh()

    def set_prompt(self, prompt: str) -> None:
        if self.prompt_edit is not None:
            self.prompt_edit.set_text(prompt)

    def validation_error(self) -> Problem | None:
        """The first thing blocking the send button right now, if any."""
        return self._problems[0] if self._problems else None

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def field_message(self, field: str) -> FieldMessage:
        return self._messages.get(field, self._messages["request"])

    def state(self) -> dict[str, Any]:
        """Last-used values as JSON-safe data (never image bytes)."""
        request = self._build(final=False)
        return {
            "version": STATE_VERSION,
            "fields": request.fields_json(),
            "prompt_history": self.prompt_edit.history() if self.prompt_edit is not None else [],
            "ui": self.fields.ui_state() if self.fields is not None else {},
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore what state() saved; a value that is not valid any more is skipped."""
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            return
        fields = state.get("fields")
        values: dict[str, Any] = {}
        if isinstance(fields, dict):
            for name, raw in fields.items():
                try:
                    values[name] = getattr(self._probe_from_parts({name: raw}), name)
                except (RequestValidationError, TypeError, ValueError, AttributeError):
                    continue
        self._loading += 1
        try:
            if self.fields is not None:
                self.fields.set_values(_Values(values))
                ui = state.get("ui")
                if isinstance(ui, dict):
                    self.fields.restore_ui_state(ui)
            if self.prompt_edit is not None:
                if isinstance(values.get("prompt"), str):
                    self.prompt_edit.set_text(values["prompt"])
                history = state.get("prompt_history")
                if isinstance(history, list):
                    self.prompt_edit.set_history(history)
        finally:
            self._loading -= 1
        self._refresh()

    # ---- events ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not submit_on_ctrl_enter(event, self.submit):
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A row that appears, hides or changes its text asks the form to lay out again: once it has
        # (its layouts measure every row afresh then), the panel's minimum follows, so it is never
        # cut at its right edge nor kept wider than it needs. Not measured here by invalidating the
        # layouts: that asks the form to lay out again, which came back here — the form of the
        # mode on show re-measured itself ~1,500 times a second, ~40% of a core while the studio
        # sat idle (and the GIL held from every worker).
        if watched is self.body:
            kind = event.type()
            if kind == QEvent.Type.LayoutRequest and not self._fit_pending:
                self._fit_pending = True
                QTimer.singleShot(0, self, self._fit_minimum_width)
            elif kind == QEvent.Type.Show:
                self.update_minimum_width()
        return False

    def update_minimum_width(self) -> None:
        """Wide enough for the widest row (the shape buttons): the form never scrolls sideways."""
        # A row shown or hidden while the panel is not on screen (the mask editor moving to the
        # window's centre, the Quality choice of a model not chosen) leaves the layouts' cached
        # minimums as they were: measure afresh (at construction, when shown, when asked).
        for layout in self.body.findChildren(QLayout):
            layout.invalidate()
        self._fit_minimum_width()

    def narrowest(self) -> int:
        """The panel's width at the least, whatever its rows."""
        return 360

    def _fit_minimum_width(self) -> None:
        self._fit_pending = False
        scrollbar = self._scroll.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(max(self.narrowest(), self.body.minimumSizeHint().width() + scrollbar + 2))

    # ---- building blocks for subclasses ----------------------------------------------------
    def make_source_picker(
        self, purpose: str, *, keep_alpha: bool = False, allow_clear: bool = True, title: str = "Source image"
    ) -> SourceImagePicker:
        from .source_image import SourceImagePicker  # (with the modes that take a source: not Generate)

        self.form.addWidget(field_label(self.body, title, bold=True))
        picker = SourceImagePicker(
            self.request_class.endpoint, purpose, self.body, keep_alpha=keep_alpha, allow_clear=allow_clear
        )
        picker.image_changed.connect(self._on_changed)
        self.form.addWidget(picker)
        self.add_message(["image"], picker)
        self.source_picker = picker
        return picker

    def _say_prompt_keys(self) -> None:
        """The prompt fields' hints name the send and prompt-library keys as they are now (Settings ▸
        Shortcuts may rebind them)."""
        send = getattr(self, "send_action", None)
        send_keys = send.shortcuts() if send is not None else [QKeySequence("Ctrl+Return")]
        for hint, edit in self._prompt_hints:
            library = next((a for a in edit.actions() if a.objectName() == "prompt-library"), None)
            parts = [f"{_key_text(send_keys[0])} {self.send_verb}s"] if send_keys else []
            if library is not None and library.shortcuts():
                parts.append(f"{_key_text(library.shortcuts()[0])} prompt library")
            hint.setText(" · ".join(parts))

    def make_prompt(
        self, title: str, placeholder: str, tip: str, lines: int = 3, *, max_lines: int | None = None
    ) -> PromptEdit:
        """The prompt field with its heading; ``lines`` high, or growing up to ``max_lines``."""
        header = QHBoxLayout()
        label = field_label(self.body, title, bold=True)
        header.addWidget(label)
        header.addStretch(1)
        hint = QLabel(self.body)  # the keys as they are now: see _say_prompt_keys
        mute(hint)
        header.addWidget(hint)
        self.form.addLayout(header)
        edit = PromptEdit(self.body, history=True)
        edit.setPlaceholderText(placeholder)
        edit.setToolTip(
            f"{tip} Ctrl+Enter {self.send_verb}s, Ctrl+Shift+Enter puts it at the front of the queue; "
            "Alt+Up/Alt+Down step through earlier prompts; Ctrl+Up searches every prompt you sent."
        )
        if max_lines is None:
            edit.setFixedHeight(self._lines_height(lines))
        else:
            edit.setMinimumHeight(self._lines_height(lines))
            edit.setMaximumHeight(self._lines_height(max_lines))
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        edit.textChanged.connect(self._on_prompt_changed)
        edit.submit_requested.connect(self.submit)
        edit.library_requested.connect(lambda: self.prompt_library_requested.emit(edit))
        self._prompt_hints.append((hint, edit))
        for action in edit.actions():
            action.changed.connect(self._say_prompt_keys)
        self._say_prompt_keys()
        label.setBuddy(edit)
        self.form.addWidget(edit)
        self.add_message(["prompt"], edit)
        self.prompt_edit = edit
        return edit

    def make_fields(self, names: list[str], **kwargs: Any) -> RequestFields:
        return InSteps(self.fields_in_steps(names, **kwargs)).finish()

    def fields_in_steps(self, names: list[str], **kwargs: Any) -> Steps[RequestFields]:
        """The request fields (make_fields), made a group at a time: a panel's `_setup_body` yields from it.
        Made with `rows_later`: only their (hidden) place in the form now, the rows in `rows_left()`."""
        fields = RequestFields(names, self.body, in_steps=True, **kwargs)
        self._fields = fields
        if self._rows_later:
            fields.hide()
            self.form.addWidget(fields)
            # Their place kept, about as tall as they will be: the scroll bar shows now as it will then
            # (else the prompt would narrow or widen under the eye when they come). See keep_rows_place.
            self._rows_place = place = QWidget(self.body)
            self.keep_rows_place(self.rows_lines)
            self.form.addWidget(place)
            self._loading += 1  # (until the rows are there: _rows_in_steps)
            self._rows = InSteps(self._rows_in_steps(fields, place))
            return fields
        yield from fields.building
        self.form.addWidget(fields)
        self._connect_fields(fields)
        return fields

    def _connect_fields(self, fields: RequestFields) -> None:
        fields.changed.connect(self._on_changed)
        if fields.has("negative_prompt"):
            fields.negative_edit.submit_requested.connect(self.submit)
        self.register_fields(fields)

    def register_fields(self, fields: RequestFields) -> None:
        self._messages.update(fields.messages())
        self._focus.update(fields.focus_targets())
        self._sections.update(fields.sections())

    def add_message(self, names: list[str], target: QWidget | None, layout: QVBoxLayout | None = None) -> FieldMessage:
        message = FieldMessage(self.body)
        (layout or self.form).addWidget(message)
        for name in names:
            self._messages[name] = message
            if target is not None:
                self._focus[name] = target
        return message

    def register(self, name: str, message: FieldMessage, target: QWidget | None = None) -> None:
        self._messages[name] = message
        if target is not None:
            self._focus[name] = target

    def section_title(self, text: str) -> QLabel:
        label = field_label(self.body, text, bold=True)
        self.form.addSpacing(4)
        self.form.addWidget(label)
        return label

    def field_values(self) -> dict[str, Any]:
        return self.fields.values() if self.fields is not None else {}

    def prompt_text(self) -> str:
        return self.prompt_edit.text() if self.prompt_edit is not None else ""

    # ---- frame -----------------------------------------------------------------------------
    def _setup_frame(self) -> None:
        self.setMinimumWidth(360)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self._outer = outer
        self._scroll = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget(scroll)
        self.body.setObjectName("workflowBody")
        self.form = QVBoxLayout(self.body)
        self.form.setContentsMargins(14, 12, 14, 12)
        self.form.setSpacing(6)
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)

    def _setup_footer(self) -> None:
        footer = build_footer(self, self.send_text, "workflowFooter", "sendButton")
        self._messages["request"] = footer.message
        self.blocker_label = footer.blocker_label
        self.blocker_label.linkActivated.connect(self._focus_field)
        self.cost_label = footer.cost_label
        self.send_button = footer.send_button
        self.send_button.clicked.connect(self._on_send_clicked)
        self.front_button = footer.front_button
        self.send_action = footer.send_action
        self.send_action.triggered.connect(lambda: self.submit(False))
        self.send_action.changed.connect(self._say_prompt_keys)
        self._say_prompt_keys()
        self.front_action = footer.front_action
        self.front_action.triggered.connect(lambda: self.submit(True))
        self._outer.addWidget(footer.frame)
        # On the footer, not the panel: a sheet on the panel would put every widget of the form under
        # Qt's style sheet style (polished, sized and painted the slower way: ~10 ms at start-up).
        theme.apply_style(footer.frame, *self.style_sections, frame="workflowFooter", button="sendButton")

    def _lines_height(self, lines: int) -> int:
        return self.fontMetrics().lineSpacing() * lines + 14

    # ---- checking --------------------------------------------------------------------------
    def _problems_of(self, request: ApiRequest) -> list[Problem]:
        types = request.field_types()
        files = set(request.file_field_names())
        missing = [n for n in request.required if _empty(getattr(request, n))]
        file_missing = [n for n in missing if n in files]
        text_missing = [n for n in missing if types.get(n) is str]
        # One missing input at a time: without a source there is no mask to ask for either.
        problems = [Problem(n, self._missing_text(n), True) for n in file_missing[:1]]
        subs: dict[str, Any] = {n: "-" for n in text_missing}
        subs.update({n: stand_in(n) for n in file_missing})
        probe = dataclasses.replace(request, **subs) if subs else request
        try:
            probe.validate()
        except RequestValidationError as exc:
            problems.append(Problem(exc.field, self._describe(exc)))
        problems.extend(self._extra_problems(request))
        problems.extend(Problem(n, self._missing_text(n), True) for n in text_missing)
        return problems

    def _missing_text(self, field: str) -> str:
        if field == "image":
            return "Choose the source image first: drop it, paste it, or open a file."
        if field == "prompt":
            return f"Enter {self.prompt_noun} first."
        return f"{LABELS.get(field, field)} is required."

    def _describe(self, error: RequestValidationError) -> str:
        return describe(LABELS.get(error.field, error.field.replace("_", " ").capitalize()), error.rule)

    def _probe_from_parts(self, fields: dict[str, Any]) -> ApiRequest:
        cls = self.request_class
        types = cls.field_types()
        base: dict[str, Any] = {n: "-" for n in cls.required if types.get(n) is str}
        files = {n: [stand_in(n)] for n in cls.required if n in cls.file_field_names()}
        return cls.from_parts({**base, **{k: v for k, v in fields.items() if k not in files}}, files)

    def _refresh(self) -> None:
        if self._loading:
            return
        request = self._build(final=False)
        problems = self._problems_of(request)
        self._problems = problems
        for message in set(self._messages.values()):
            message.clear_message()
        shown: set[int] = set()
        for p in problems:
            if p.missing and not self._attempted:
                continue
            message = self.field_message(p.field)
            if id(message) in shown:
                continue
            shown.add(id(message))
            message.show_error(p.text)
            section = self._sections.get(p.field)
            if section is not None and not p.missing:
                section.set_expanded(True)
        self._show_advice(request)
        self._update_send(problems)
        priced = self._priced_request(request)
        self._update_cost(priced)
        if self.fields is not None:
            self.fields.update_speed_prices(priced)

    def _show_advice(self, request: ApiRequest) -> None:
        if not hasattr(request, "style_type") or not hasattr(request, "character_reference_images"):
            return
        from .generate_advice import advice  # (the modules of the form's check come with its first check)

        warnings: dict[FieldMessage, list[str]] = {}
        for field, text in advice(cast(GenerateRequest, request)):
            message = self.field_message(field)
            if message.kind() != "error":
                warnings.setdefault(message, []).append(text)
        for message, texts in warnings.items():
            message.show_warning(" ".join(texts))

    def _update_send(self, problems: list[Problem]) -> None:
        first = problems[0] if problems else None
        if self._busy:
            reason: str | None = "Busy sending the previous request."
        else:
            reason = first.text if first is not None else None
        enabled = reason is None
        self.send_button.setEnabled(enabled)
        self.send_action.setEnabled(True)  # Ctrl+Enter always answers: it shows why at the field
        self.front_action.setEnabled(enabled)
        self.send_button.setText("Sending…" if self._busy else self.send_text)
        if enabled:
            self.send_button.setToolTip(f"{self.send_text} (Ctrl+Enter). Ctrl+Shift+Enter: front of the queue.")
        else:
            self.send_button.setToolTip(f"Can't {self.send_verb} yet: {reason}")
        # An error in red; else what is still to do, quietly (the button never looks dead for no reason).
        blocker = next((p for p in problems if not p.missing), None)
        if blocker is None and not self._busy and self.footer_names_missing:
            blocker = first
        if blocker is not None:
            theme.set_text_color(self.blocker_label, "error" if not blocker.missing else "muted")
            self.blocker_label.setText(
                f'{html.escape(blocker.text)} <a href="{html.escape(blocker.field)}">Show</a>'
            )
            self.blocker_label.setToolTip(f"Go to {LABELS.get(blocker.field, blocker.field)}")
        self.blocker_label.setVisible(blocker is not None)

    def _update_cost(self, request: ApiRequest) -> None:
        """The local table's figure at once; the service's quote once the form settles."""
        from .quote_line import show_local_v2_cost

        if isinstance(request, V2Request):
            show_local_v2_cost(self.cost_label, request)
        else:
            show_cost(self.cost_label, request, mark_character=True)
        self.quote_line().schedule(None if self._problems else request)

    # ---- the service's quote ---------------------------------------------------------------
    def quote_line(self) -> QuoteLine:
        """Made on first use (the cost label it writes is built after the form)."""
        if self._quote_line is None:
            from .quote_line import QuoteLine

            self._quote_line = QuoteLine(self.cost_label, self)
            self._quote_line.requested.connect(self._ask_quote)
        return self._quote_line

    def _quote_request(self, request: Any) -> V2Request | None:
        """What to ask the service about for this (settled) request: a v2 request as it is, a v1
        Ideogram 3.0 one through its v2 twin (api/v1_quotes.py); None when none prices it."""
        from ...api.v1_quotes import as_v2

        return as_v2(request)

    @Slot(object)
    def _ask_quote(self, request: object) -> None:
        asked = self._quote_request(request)
        if asked is None:
            return  # the local figure stays, labelled as such
        if asked is not request:
            self.quote_line().replace_asked(request, asked)
        self.quote_requested.emit(asked)

    def connect_services(self, services: Any) -> None:
        """Quotes from the controller (the window hands it over); see v2_form.PanelServices."""
        self.quote_requested.connect(services.quote)
        services.quote_ready.connect(self.show_quote)

    def show_quote(self, request: object, quote: object) -> None:
        """The controller's answer to quote_requested (dropped if the form has moved on)."""
        from ...api.v2_responses import PriceQuote  # (with the first answer: not before the form takes typing)

        self.quote_line().show(request, quote if isinstance(quote, PriceQuote) else None)

    def _focus_field(self, field: str) -> None:
        section = self._sections.get(field)
        if section is not None:
            section.set_expanded(True)
        target = self._focus.get(field)
        if target is None:
            return
        if self.body.isAncestorOf(target):
            self._scroll.ensureWidgetVisible(target, 20, 40)
            message = self._messages.get(field)
            if message is not None and message.isVisible():
                self._scroll.ensureWidgetVisible(message, 20, 20)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- slots -----------------------------------------------------------------------------
    @Slot()
    def _on_changed(self) -> None:
        if not self._loading:
            self._refresh()
            self.changed.emit()

    @Slot()
    def _on_prompt_changed(self) -> None:
        self._on_changed()

    @Slot()
    def _on_send_clicked(self) -> None:
        self.submit(False)


class _Values:
    """Attributes from a dict, for RequestFields.set_values."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _key_text(keys: QKeySequence) -> str:
    """A key as the hint says it: "Ctrl+Return" as "Ctrl+Enter", "Ctrl+Up" as "Ctrl+↑"."""
    text = keys.toString(QKeySequence.SequenceFormat.NativeText)
    return re.sub(r"\bUp\b", "↑", re.sub(r"\bReturn\b", "Enter", text))
