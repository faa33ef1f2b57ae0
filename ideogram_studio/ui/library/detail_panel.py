"""The detail panel beside the grid: read-only, with a "use" button per field and a separate
"Reuse settings" (designers want both, InvokeAI #8463).

It shows a large preview, every request and response field the image carries (the prompt as
used after magic prompt, seed, resolution, preset, palette swatches, references as thumbnails,
cost, dates), its lineage as a chain of thumbnails (sources with the operation and mask that
made each step, then what was made from it; one click shows any of them), its tags and
collections, and the actions on it. It emits signals; the page and the window act.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCompleter,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.pricing import UNPRICED
from ...api.requests import Operation
from ...gallery import Collection
from ...gallery.library_ops import SOURCE_ROLES, DetailInfo, per_image_cost
from ..common import theme
from ..common.thumbnail_loader import ThumbnailCache
from ..common.untrusted import isolate, menu_text, one_line, plain_label, tooltip, unwrap
from ..widgets.elided_field import ElidedField
from ..widgets.flow_layout import FlowLayout
from ..widgets.on_screen import place_under
from .actions import DEFAULT_DETAIL, DEFAULT_RESEMBLANCE, MenuItems
from .culling_row import CullingRow
from .structured_rows import say_structured

CHAIN_ICON = 64
ROLE_LABELS = {
    "image": "Source", "image_file": "Source", "mask": "Mask",
    "style_reference_images": "Style reference", "character_reference_images": "Character",
    "character_reference_images_mask": "Character mask",
}
#: Request fields shown in their own rows (the rest are listed under "Other fields").
_SHOWN_REQUEST = {"prompt", "negative_prompt", "seed", "aspect_ratio", "resolution", "rendering_speed", "magic_prompt",
                  "style_type", "style_preset", "style_codes", "color_palette", "num_images"}
_SHOWN_RESPONSE = {"prompt", "seed", "resolution", "upscaled_resolution", "style_type"}


#: The API's enum values ("TURBO", "DESIGN", "ON", "AUTO"): said as words, not shouted.
_ENUM = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
_SIZE = re.compile(r"\d+x\d+")


def _fmt(value: Any) -> str:
    """A stored request or response value as the designer reads it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value.replace("_", " ").capitalize() if _ENUM.fullmatch(value) else value
    return json.dumps(value, ensure_ascii=False)


def _dimensions(value: Any) -> str:
    """The API's "1024x1024" written as the Size row writes sizes ("1024×1024"); other text as it is."""
    text = str(value or "")
    return text.replace("x", "×") if _SIZE.fullmatch(text) else text


def palette_colours(palette: Any) -> list[str]:
    """Hex colours of a palette as stored in a request (members, or a preset's swatches)."""
    if isinstance(palette, dict):
        members = palette.get("members")
        if isinstance(members, list):
            return [str(m.get("color_hex")) for m in members if isinstance(m, dict) and m.get("color_hex")]
        name = palette.get("name")
    else:
        name = palette
    if isinstance(name, str) and name:
        try:
            from ...api.enums import PalettePreset
            from ...resources.catalog import palette_swatches

            return list(palette_swatches().get(PalettePreset(name.upper()), ()))
        except (ValueError, KeyError):
            return []
    return []


def _swatches(colours: Sequence[str], size: int = 18) -> QPixmap:
    pixmap = QPixmap(max(1, len(colours)) * (size + 3), size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for i, c in enumerate(colours):
        p.setBrush(QColor(c))
        p.setPen(theme.color("outline"))
        p.drawRoundedRect(i * (size + 3), 0, size - 1, size - 1, 4, 4)
    p.end()
    return pixmap


class _ClickLabel(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class UpscalePopover(QFrame):
    """Two sliders and a button, over the Upscale button; `accepted(resemblance, detail)`."""

    accepted = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("upscale-popover")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(self)
        self.resemblance = QSlider(Qt.Orientation.Horizontal, self)
        self.detail = QSlider(Qt.Orientation.Horizontal, self)
        for slider, value, tip in (
            (self.resemblance, DEFAULT_RESEMBLANCE, "How closely the result keeps the original (1–100)"),
            (self.detail, DEFAULT_DETAIL, "How much detail is added (1–100)"),
        ):
            slider.setRange(1, 100)
            slider.setValue(value)
            slider.setToolTip(tip)
            slider.setMinimumWidth(180)
        self._r_label = QLabel(self)
        self._d_label = QLabel(self)
        row_r = QHBoxLayout()
        row_r.addWidget(self.resemblance)
        row_r.addWidget(self._r_label)
        row_d = QHBoxLayout()
        row_d.addWidget(self.detail)
        row_d.addWidget(self._d_label)
        form.addRow("Resemblance", row_r)
        form.addRow("Detail", row_d)
        self.price = QLabel(UNPRICED[Operation.UPSCALE], self)  # said before anything is spent
        self.price.setWordWrap(True)
        self.price.setObjectName("upscale-price")
        theme.mute(self.price)
        form.addRow(self.price)
        self.button = QPushButton("Upscale", self)
        self.button.setDefault(True)
        form.addRow(self.button)
        self.resemblance.valueChanged.connect(lambda v: self._r_label.setText(f"{v:3d}"))
        self.detail.valueChanged.connect(lambda v: self._d_label.setText(f"{v:3d}"))
        self._r_label.setText(f"{self.resemblance.value():3d}")
        self._d_label.setText(f"{self.detail.value():3d}")
        self.button.clicked.connect(self._accept)

    def _accept(self) -> None:
        self.accepted.emit(self.resemblance.value(), self.detail.value())
        self.close()


class LibraryDetail(QScrollArea):
    reuse_requested = Signal(str)
    use_field_requested = Signal(str, object)
    send_to_requested = Signal(str, str)
    use_as_requested = Signal(str, str)
    describe_requested = Signal(str)
    upscale_requested = Signal(str, int, int)
    open_requested = Signal(str)
    preview_requested = Signal(str)
    show_in_folder_requested = Signal(str)
    #: A lineage or reference thumbnail was clicked: show that image.
    image_clicked = Signal(str)
    tags_added = Signal(list)
    tag_removed = Signal(str)
    add_to_collection_requested = Signal(int)
    remove_from_collection_requested = Signal(int)
    #: A short note for the status line ("Prompt copied").
    message = Signal(str)

    def __init__(
        self, thumbnails: ThumbnailCache, parent: QWidget | None = None, *, send_to: MenuItems = (),
        use_as: MenuItems = (),
    ) -> None:
        """``send_to``, ``use_as``: the items of the "Send to" and "Use as" buttons' menus."""
        super().__init__(parent)
        self._thumbs = thumbnails
        self._send_to, self._use_as = send_to, use_as
        self._info: DetailInfo | None = None
        self._chain_buttons: dict[str, list[QToolButton]] = {}
        self._collections: list[Collection] = []
        self._tag_model = QStringListModel(self)
        self._upscale: UpscalePopover | None = None
        self._setup_ui()
        thumbnails.batch_ready.connect(self._on_thumbnails)
        self.show_selection(0, [])

    # ---- public ----------------------------------------------------------------------------------
    def current_hash(self) -> str | None:
        return self._info.row.hash if self._info is not None else None

    def info(self) -> DetailInfo | None:
        return self._info

    def set_collections(self, collections: Sequence[Collection]) -> None:
        self._collections = list(collections)

    def set_tag_completions(self, tags: Sequence[str]) -> None:
        self._tag_model.setStringList(list(tags))

    def show_selection(self, count: int, tags: Sequence[tuple[str, int]]) -> None:
        """Nothing (0) or several images selected: what can be done to all of them."""
        self._info = None
        self._image_box.setVisible(False)
        self._selection_label.setVisible(True)
        self._selection_label.setText(
            "No image selected.\nClick an image, or use the arrow keys." if count == 0
            else f"{count:,} images selected.\nTags and collections below apply to all of them."
        )
        self._fill_tags([(t, n) for t, n in tags], count)
        self._tags_box.setVisible(count > 0)
        self._fill_collection_row([], count > 0)

    def show_info(self, info: DetailInfo, preview: QImage | None = None) -> None:
        """One image: its preview, fields, lineage, tags and collections."""
        self._info = info
        self._selection_label.setVisible(False)
        self._image_box.setVisible(True)
        self._tags_box.setVisible(True)
        self.set_preview(preview)
        row = info.row
        plain_label(self._title, self._title_text(info), limit=300)
        self.culling.set_marks(row.flag, row.rating, row.favourite)
        meta = info.metadata
        request = meta.get("request") if isinstance(meta.get("request"), dict) else {}
        self._reuse.setEnabled(meta.get("kind") in ("result", "import") and bool(request or row.prompt))
        self._copy_prompt.setEnabled(bool(row.prompt or row.prompt_used))
        self._copy_seed.setEnabled(row.seed is not None)
        self._fill_chain(info)
        self._fill_fields(info)
        self._fill_tags([(t, 1) for t in row.tags], 1)
        self._fill_collection_row(info.collections, True)

    def set_preview(self, image: QImage | None) -> None:
        if image is None or image.isNull():
            self._preview.setPixmap(QPixmap())
            self._preview.setText("Loading preview…" if self._info is not None else "")
            return
        width = max(120, self.viewport().width() - 24)
        dpr = self.devicePixelRatioF()
        scaled = image.scaled(int(width * dpr), int(300 * dpr), Qt.AspectRatioMode.KeepAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
        pixmap = QPixmap.fromImage(scaled)
        pixmap.setDevicePixelRatio(dpr)
        self._preview.setPixmap(pixmap)

    def field_value(self, label: str) -> str | None:
        """The text shown for a field (tests and accessibility)."""
        for i in range(self._form.rowCount()):
            item = self._form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            name = item.widget() if item is not None else None
            if isinstance(name, QLabel) and unwrap(name.text()) == label:
                field = self._form.itemAt(i, QFormLayout.ItemRole.FieldRole)
                widget = field.widget() if field is not None else None
                if widget is None:
                    return None
                found = widget.findChild(QLabel, "value") or widget.findChild(QLineEdit, "value")
                return unwrap(found.text()) if found is not None else None
        return None

    def field_labels(self) -> list[str]:
        out = []
        for i in range(self._form.rowCount()):
            item = self._form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            name = item.widget() if item is not None else None
            if isinstance(name, QLabel):
                out.append(unwrap(name.text()))
        return out

    def chain_hashes(self) -> list[str]:
        return list(self._chain_buttons)

    def click_chain(self, image_hash: str) -> None:
        for button in self._chain_buttons.get(image_hash, []):
            button.click()
            return

    def use_button(self, name: str) -> QToolButton | None:
        return self.findChild(QToolButton, f"use-{name}")

    # ---- building --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("library-detail")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(300)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)

        self._selection_label = QLabel(body)
        self._selection_label.setWordWrap(True)
        self._selection_label.setObjectName("selection-label")
        theme.mute(self._selection_label)
        self._selection_label.setContentsMargins(4, 24, 4, 24)
        layout.addWidget(self._selection_label)

        self._image_box = QWidget(body)
        box = QVBoxLayout(self._image_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        self._preview = _ClickLabel(self._image_box)
        self._preview.setObjectName("detail-preview")
        self._preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._preview.setMinimumHeight(160)
        self._preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._preview.setCursor(Qt.CursorShape.PointingHandCursor)
        self._preview.setToolTip("Click for a large preview (Space in the grid)")
        self._preview.clicked.connect(self._emit(self.preview_requested))
        box.addWidget(self._preview)
        self._title = QLabel(self._image_box)
        self._title.setObjectName("detail-title")
        self._title.setWordWrap(True)
        theme.strong(self._title)
        box.addWidget(self._title)
        #: Pick / Reject, stars and Favourite of the image (the page writes what it asks).
        self.culling = CullingRow(self._image_box)
        box.addWidget(self.culling)

        actions = FlowLayout(spacing=4)
        self._reuse = self._button("Reuse settings", "Fill the form with every setting of this image "
                                   "(prompt, seed, preset, palette, references…)", self._emit(self.reuse_requested))
        self._copy_prompt = self._button("Copy prompt", "Copy the prompt to the clipboard", self._on_copy_prompt)
        self._copy_seed = self._button("Copy seed", "Copy the seed to the clipboard", self._on_copy_seed)
        send = self._button("Send to ▾", "Open this image in another mode", None)
        send_menu = QMenu(send)
        for target, label in self._send_to:
            send_menu.addAction(label, functools.partial(self._emit_pair, self.send_to_requested, target))
        send.setMenu(send_menu)
        use_as = self._button("Use as ▾", "Use this image as a reference", None)
        use_menu = QMenu(use_as)
        for target, label in self._use_as:
            use_menu.addAction(label, functools.partial(self._emit_pair, self.use_as_requested, target))
        use_as.setMenu(use_menu)
        describe = self._button("Describe", "Ask Ideogram for prompts that describe this image. "
                                f"{UNPRICED[Operation.DESCRIBE]}",
                                self._emit(self.describe_requested))
        self._upscale_button = self._button("Upscale…", "Make a larger, more detailed copy", self._on_upscale)
        more = self._button("More ▾", "", None)
        more_menu = QMenu(more)
        more_menu.addAction("Open", self._emit(self.open_requested))
        more_menu.addAction("Show in folder", self._emit(self.show_in_folder_requested))
        more.setMenu(more_menu)
        for b in (self._reuse, self._copy_prompt, self._copy_seed, send, use_as, describe, self._upscale_button, more):
            actions.addWidget(b)
        holder = QWidget(self._image_box)
        holder.setLayout(actions)
        box.addWidget(holder)

        chain_title = QLabel("Lineage", self._image_box)
        theme.strong(chain_title)
        chain_title.setContentsMargins(0, 6, 0, 0)
        box.addWidget(chain_title)
        self._chain = QWidget(self._image_box)
        self._chain.setObjectName("lineage-chain")
        self._chain_layout = FlowLayout(self._chain, spacing=2)
        box.addWidget(self._chain)

        self._fields = QWidget(self._image_box)
        self._form = QFormLayout(self._fields)
        self._form.setContentsMargins(0, 6, 0, 0)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        box.addWidget(self._fields)
        layout.addWidget(self._image_box)

        self._tags_box = QWidget(body)
        tags = QVBoxLayout(self._tags_box)
        tags.setContentsMargins(0, 6, 0, 0)
        tags_title = QLabel("Tags", self._tags_box)
        theme.strong(tags_title)
        tags.addWidget(tags_title)
        self._tag_chips = QWidget(self._tags_box)
        self._tag_layout = FlowLayout(self._tag_chips, spacing=4)
        tags.addWidget(self._tag_chips)
        self.tag_edit = QLineEdit(self._tags_box)
        self.tag_edit.setObjectName("tag-edit")
        self.tag_edit.setPlaceholderText("Add tags (comma separated), Enter")
        self.tag_edit.setClearButtonEnabled(True)
        completer = QCompleter(self._tag_model, self.tag_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tag_edit.setCompleter(completer)
        self.tag_edit.returnPressed.connect(self._on_add_tags)
        tags.addWidget(self.tag_edit)
        coll_row = QHBoxLayout()
        self._collections_label = QLabel(self._tags_box)
        self._collections_label.setWordWrap(True)
        self._collections_label.setObjectName("collections-label")
        coll_row.addWidget(self._collections_label, 1)
        self._add_to = QToolButton(self._tags_box)
        self._add_to.setText("Add to collection ▾")
        self._add_to.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        theme.apply_style(self._add_to, "menu-button")
        self._add_menu = QMenu(self._add_to)
        self._add_menu.aboutToShow.connect(self._fill_add_menu)
        self._add_to.setMenu(self._add_menu)
        coll_row.addWidget(self._add_to)
        tags.addLayout(coll_row)
        layout.addWidget(self._tags_box)
        layout.addStretch(1)
        self.setWidget(body)

    def _button(self, text: str, tip: str, slot: Callable[[], None] | None) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(tip)
        b.setObjectName("detail-" + text.lower().split()[0].strip("…▾"))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        if slot is not None:
            b.clicked.connect(slot)
        else:
            b.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            theme.apply_style(b, "menu-button")  # (its text has the ▾: no second arrow)
        return b

    def _emit(self, signal: Any) -> Callable[[], None]:
        def fire() -> None:
            h = self.current_hash()
            if h:
                signal.emit(h)

        return fire

    def _emit_pair(self, signal: Any, first: str) -> None:
        h = self.current_hash()
        if h:
            signal.emit(first, h)

    def _title_text(self, info: DetailInfo) -> str:
        row = info.row
        made = row.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        op = (row.operation or "image").replace("-", " ").capitalize()
        return f"{op} · {row.width}×{row.height} · {made}"

    # ---- lineage ---------------------------------------------------------------------------------
    def _chain_button(self, image_hash: str, caption: str, tip: str, current: bool = False) -> QToolButton:
        b = QToolButton(self._chain)
        b.setObjectName("chain-item")
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        b.setIconSize(QSize(CHAIN_ICON, CHAIN_ICON))
        b.setText(menu_text(caption, 40))  # operation names come from the images' metadata
        b.setToolTip(tooltip(tip))
        b.setAutoRaise(True)
        if current:
            theme.apply_style(b, "current-thumb")
        pixmap = self._thumbs.pixmap(image_hash)
        b.setIcon(QIcon(pixmap) if pixmap is not None else QIcon())
        b.clicked.connect(lambda: self.image_clicked.emit(image_hash))
        self._chain_buttons.setdefault(image_hash, []).append(b)
        self._chain_layout.addWidget(b)
        return b

    def _arrow(self, text: str = "→") -> None:
        label = QLabel(text, self._chain)
        theme.mute(label)
        font = label.font()
        font.setPixelSize(16)
        label.setFont(font)
        label.setContentsMargins(0, 20, 0, 0)
        self._chain_layout.addWidget(label)

    def _fill_chain(self, info: DetailInfo) -> None:
        while self._chain_layout.count():
            item = self._chain_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._chain_buttons = {}
        current = info.row.hash
        for i, step in enumerate(info.chain):
            is_current = step.hash == current
            op = (step.operation or "original").replace("-", " ")
            caption = "this image" if is_current else (op if i else "original")
            if i:
                self._arrow()
            self._chain_button(step.hash, caption, f"{op} · {step.hash[:12]}…", is_current)
            if step.mask is not None:
                self._chain_button(step.mask, "mask", f"The mask used for this {op}")
        refs = [p for p in info.parents if p.role not in (*SOURCE_ROLES, "mask")]
        for link in refs:
            self._chain_button(link.parent, ROLE_LABELS.get(link.role, link.role).lower(),
                               f"{ROLE_LABELS.get(link.role, link.role)} given to {link.operation or 'this request'}")
        children = [c for c in info.children if c.child != current]
        if children:
            self._arrow("⇒")
        for link in children[:24]:
            op = (link.operation or "made").replace("-", " ")
            how = ROLE_LABELS.get(link.role, link.role).lower()
            self._chain_button(link.child, op, f"{op} made from this image (as its {how})")
        if len(children) > 24:
            more = QLabel(f"+{len(children) - 24} more", self._chain)
            self._chain_layout.addWidget(more)

    def _on_thumbnails(self, hashes: list[str]) -> None:
        for h in hashes:
            pixmap = self._thumbs.peek(h)
            for b in self._chain_buttons.get(h, []):
                if pixmap is not None:
                    b.setIcon(QIcon(pixmap))
            for label in self.findChildren(_ClickLabel, f"ref-{h}"):
                if pixmap is not None:
                    label.setPixmap(pixmap)

    # ---- fields ----------------------------------------------------------------------------------
    def _add_row(self, label: str, text: str, use: tuple[str, Any] | None = None, *, pixmap: QPixmap | None = None,
                 mono: bool = False) -> None:
        cell = QWidget(self._fields)
        row = QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        value: QLabel | QLineEdit
        if mono:
            # Long unbreakable text (hashes, paths): a read-only field scrolls instead of widening the panel.
            # Cut with "…" in the middle while looked at; whole when it has the focus.
            value = ElidedField(text, cell)
            value.setFrame(False)
            theme.apply_style(value, "plain-value")
            value.setToolTip(tooltip(text))
        else:
            # Untrusted (an imported file's prompt, its original name): literal, clipped, isolated.
            value = QLabel(cell)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            plain_label(value, text)
        value.setObjectName("value")
        if pixmap is not None:
            swatch = QLabel(cell)
            swatch.setPixmap(pixmap)
            row.addWidget(swatch)
        row.addWidget(value, 1)
        if use is not None:
            name, v = use
            b = QToolButton(cell)
            b.setObjectName(f"use-{name}")
            b.setText("use")
            b.setToolTip(f"Put this {label.lower()} into the form")
            b.setAutoRaise(True)
            b.clicked.connect(lambda: self.use_field_requested.emit(name, v))
            row.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        name_label = plain_label(QLabel(self._fields), label, limit=60)  # may be a key from a file's metadata
        theme.mute(name_label)
        self._form.addRow(name_label, cell)

    def _fill_fields(self, info: DetailInfo) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        row, meta = info.row, info.metadata
        kind = meta.get("kind")
        request: dict[str, Any] = meta["request"] if isinstance(meta.get("request"), dict) else {}
        response: dict[str, Any] = meta["response"] if isinstance(meta.get("response"), dict) else {}
        prompt = request.get("prompt") or row.prompt
        if prompt:
            self._add_row("Prompt", str(prompt), ("prompt", str(prompt)))
            say_structured(self._form, str(prompt), self.message.emit)  # a 4.x layout in words
        used = response.get("prompt") or row.prompt_used
        if used and used != prompt:
            self._add_row("Prompt as used", str(used), ("prompt_used", str(used)))
            say_structured(self._form, str(used), self.message.emit)
        negative = request.get("negative_prompt") or row.negative_prompt
        if negative:
            self._add_row("Negative prompt", str(negative), ("negative_prompt", str(negative)))
        seed = response.get("seed", request.get("seed", row.seed))
        if seed is not None:
            self._add_row("Seed", str(seed), ("seed", int(seed) if str(seed).lstrip("-").isdigit() else seed))
        self._add_row("Size", f"{row.width}×{row.height} px · {row.format} · {row.bytes / 1e6:.2f} MB")
        resolution = _dimensions(response.get("resolution") or row.resolution)
        if response.get("upscaled_resolution"):
            resolution = f"{resolution} → {_dimensions(response['upscaled_resolution'])} (upscaled)"
        if resolution:
            self._add_row("Resolution", resolution)
        for key, label in (("aspect_ratio", "Aspect ratio"), ("rendering_speed", "Rendering speed"),
                           ("magic_prompt", "Magic prompt"), ("num_images", "Images in request")):
            if request.get(key) is not None:
                self._add_row(label, _fmt(request[key]).replace("x", ":") if key == "aspect_ratio"
                              else _fmt(request[key]))
        style_type = response.get("style_type") or request.get("style_type") or row.style_type
        if style_type:
            self._add_row("Style type", str(style_type).capitalize())
        if request.get("style_preset") or row.style_preset:
            from .sidebar import value_label

            preset = str(request.get("style_preset") or row.style_preset)
            self._add_row("Style preset", value_label("preset", preset), ("style_preset", preset))
        if request.get("style_codes"):
            self._add_row("Style codes", ", ".join(map(str, request["style_codes"])), mono=True)
        palette = request.get("color_palette")
        if palette or row.palette:
            colours = palette_colours(palette if palette is not None else row.palette)
            name = palette.get("name") if isinstance(palette, dict) else None
            text = str(name or row.palette or "custom").capitalize() + (f" · {' '.join(colours)}" if colours else "")
            self._add_row("Palette", text, ("color_palette", palette), pixmap=_swatches(colours) if colours else None)
        refs = [p for p in info.parents if p.role not in (*SOURCE_ROLES, "mask")]
        if refs:
            self._add_references(refs)
        cost = per_image_cost(info.job)
        if cost is not None and info.job is not None:
            n = max(1, len(info.job.result_hashes))
            job_cost = info.job.estimated_cost or 0
            billed = "billed" if info.job.billed else "estimate"
            self._add_row("Cost", f"≈ ${cost:.3f} per image · ${job_cost:.2f} for the job of {n} ({billed})")
        self._add_row("Made", row.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        if abs((row.added_at - row.created_at).total_seconds()) > 60:
            self._add_row("Added", row.added_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        self._add_row("Operation", (row.operation or "–").replace("-", " "))
        if kind == "import":
            for key, label in (("tool", "Made with"), ("filename", "Original file")):
                if meta.get(key):
                    self._add_row(label, str(meta[key]))
            chunks = meta.get("chunks")
            if isinstance(chunks, dict) and chunks:
                self._add_row("Text chunks", ", ".join(sorted(map(str, chunks))))
        colour = meta.get("input_colour")
        if isinstance(colour, dict):  # the inputs' colour profiles, converted to sRGB before sending
            for role, notes in colour.items():
                for note in notes if isinstance(notes, list) else []:
                    if note:
                        self._add_row(f"{ROLE_LABELS.get(str(role), 'Input')} colour", str(note))
        if kind == "input":
            self._add_row("Given as", ROLE_LABELS.get(str(meta.get("role")), str(meta.get("role"))))
        if row.job_id:
            self._add_row("Job", row.job_id, mono=True)
        self._add_row("File", row.path, mono=True)
        self._add_row("Hash", row.hash, mono=True)
        other = {f"request.{k}": v for k, v in request.items() if k not in _SHOWN_REQUEST and v not in (None, "", [])}
        other |= {f"response.{k}": v for k, v in response.items() if k not in _SHOWN_RESPONSE and v is not None}
        for key, value in sorted(other.items()):
            self._add_row(key.split(".", 1)[1].replace("_", " ").capitalize(), _fmt(value))

    def _add_references(self, refs: Sequence[Any]) -> None:
        cell = QWidget(self._fields)
        flow = FlowLayout(cell, spacing=4)
        for link in refs:
            label = _ClickLabel(cell)
            label.setObjectName(f"ref-{link.parent}")
            label.setFixedSize(CHAIN_ICON, CHAIN_ICON)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setToolTip(f"{ROLE_LABELS.get(link.role, link.role)} — click to show it")
            theme.apply_style(label, "reference-thumb")
            pixmap = self._thumbs.pixmap(link.parent)
            if pixmap is not None:
                label.setPixmap(pixmap)
            label.clicked.connect(lambda h=link.parent: self.image_clicked.emit(h))
            flow.addWidget(label)
        name = QLabel("References", self._fields)
        theme.mute(name)
        self._form.addRow(name, cell)

    # ---- tags and collections --------------------------------------------------------------------
    def _fill_tags(self, tags: Sequence[tuple[str, int]], of: int) -> None:
        while self._tag_layout.count():
            item = self._tag_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for tag, n in tags:
            chip = QToolButton(self._tag_chips)
            chip.setObjectName("tag-chip")
            shown_tag = menu_text(tag, 60)
            chip.setText(f"{shown_tag}  ×" if of <= 1 or n == of else f"{shown_tag} ({n}/{of})  ×")
            chip.setToolTip(tooltip(f"Remove the tag “{tag}”"))
            theme.apply_style(chip, "chip")
            chip.clicked.connect(lambda _=False, t=tag: self.tag_removed.emit(t))
            self._tag_layout.addWidget(chip)

    def _fill_collection_row(self, names: Sequence[str], enabled: bool) -> None:
        plain_label(self._collections_label,
                    "In: " + ", ".join(isolate(one_line(n, 80)) for n in names) if names else "In no collection")
        self._add_to.setEnabled(enabled)

    def _fill_add_menu(self) -> None:
        self._add_menu.clear()
        if not self._collections:
            action = self._add_menu.addAction("No collections yet (create one in the side bar)")
            action.setEnabled(False)
        current = set(self._info.collection_ids) if self._info is not None else set()
        for c in self._collections:
            if c.id in current:
                self._add_menu.addAction(f"Remove from {menu_text(c.name)}",
                                         functools.partial(self.remove_from_collection_requested.emit, c.id))
            else:
                self._add_menu.addAction(menu_text(c.name),
                                         functools.partial(self.add_to_collection_requested.emit, c.id))

    def _on_add_tags(self) -> None:
        tags = [" ".join(t.split()) for t in self.tag_edit.text().split(",")]
        tags = [t for t in tags if t]
        if tags:
            self.tags_added.emit(tags)
        self.tag_edit.clear()

    # ---- clipboard and popover -------------------------------------------------------------------
    def _on_copy_prompt(self) -> None:
        if self._info is None:
            return
        text = self._info.row.prompt or self._info.row.prompt_used or ""
        QGuiApplication.clipboard().setText(text)
        self.message.emit("Prompt copied")

    def _on_copy_seed(self) -> None:
        if self._info is None or self._info.row.seed is None:
            return
        QGuiApplication.clipboard().setText(str(self._info.row.seed))
        self.message.emit("Seed copied")

    def open_upscale(self) -> UpscalePopover:
        popover = UpscalePopover(self)
        popover.accepted.connect(lambda r, d: self._emit_upscale(r, d))
        anchor = self._upscale_button
        popover.adjustSize()
        place_under(popover, anchor)  # (whole on the screen, at its right edge too)
        popover.show()
        self._upscale = popover
        return popover

    def _on_upscale(self) -> None:
        self.open_upscale()

    def _emit_upscale(self, resemblance: int, detail: int) -> None:
        h = self.current_hash()
        if h:
            self.upscale_requested.emit(h, resemblance, detail)
