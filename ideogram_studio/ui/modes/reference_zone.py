"""A drop zone for reference images: drop, paste or browse; thumbnails with a remove button each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QMimeData, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.errors import ImageFileError
from ...api.images import ImageFile
from ..common import theme
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from ..widgets.flow_layout import FlowLayout
from ..widgets.image_drop import ImageDropTarget

THUMB = 64
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"


def thumbnail(image: ImageFile, size: int = THUMB) -> QPixmap:
    """A square, centre-cropped thumbnail of an image file."""
    from ..common.image_decode import decode_image  # (with the first reference: not with the form)

    qimage = decode_image(image.data)
    if qimage.isNull():
        pix = QPixmap(size, size)
        pix.fill(theme.color("placeholder_bg"))
        return pix
    scaled = qimage.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
    )
    x = (scaled.width() - size) // 2
    y = (scaled.height() - size) // 2
    return QPixmap.fromImage(scaled.copy(x, y, size, size))


class _Thumb(QFrame):
    remove_requested = Signal(object)

    def __init__(self, image: ImageFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = image
        self.setFixedSize(THUMB, THUMB)
        self.setObjectName("referenceThumb")
        label = QLabel(self)
        label.setPixmap(thumbnail(image))
        label.setGeometry(0, 0, THUMB, THUMB)
        tip = f"{image.filename}\n{image.width}×{image.height} {image.format}, {image.megabytes():.1f} MB"
        self.setToolTip(tip + (f"\n{image.colour_note}" if image.colour_note else ""))
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("referenceRemove")
        self.remove_button.setText("×")
        self.remove_button.setToolTip(f"Remove {image.filename}")
        self.remove_button.setFixedSize(18, 18)
        self.remove_button.move(THUMB - 20, 2)
        self.remove_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.remove_button.clicked.connect(self._on_remove)

    @Slot()
    def _on_remove(self) -> None:
        self.remove_requested.emit(self)


class ReferenceZone(ImageDropTarget, QFrame):
    """Reference images for one field. `images()` is always valid: bad files never get in."""

    changed = Signal()

    def __init__(
        self,
        title: str = "Images",
        max_count: int = 10,
        parent: QWidget | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._max = max_count
        self._max_why = ""
        self._items: list[tuple[ImageFile, str | None]] = []
        self._thumbs: list[_Thumb] = []
        self._file_dialog: QFileDialog | None = None
        self._hint_text = hint or (
            "Drop an image, paste, or click +" if max_count == 1 else "Drop images, paste, or click +"
        )
        self._setup_ui()
        self._rebuild()

    # ---- public ----------------------------------------------------------------------------
    def images(self) -> list[ImageFile]:
        return [image for image, _ in self._items]

    def paths(self) -> list[str | None]:
        """Where each image came from (None for pasted or programmatic ones)."""
        return [path for _, path in self._items]

    def set_images(self, images: Sequence[ImageFile], paths: Sequence[str | None] | None = None) -> None:
        """Show exactly these images (beyond max_count too: validation then names the field)."""
        paths = list(paths) if paths is not None else [None] * len(images)
        self._items = list(zip(images, paths, strict=True))
        self._message.clear_message()
        self._rebuild()
        self.changed.emit()

    def add_image(self, image: ImageFile, path: str | None = None) -> bool:
        if self.is_full():
            self._message.show_error(self._full_message())
            return False
        self._items.append((image, path))
        self._rebuild()
        self.changed.emit()
        return True

    def add_paths(self, paths: Iterable[str]) -> int:
        """Add image files; every refused file is explained in the inline message. Returns added count."""
        errors: list[str] = []
        added = 0
        for path in paths:
            if self.is_full():
                errors.append(self._full_message())
                break
            try:
                image = ImageFile.from_path(path)
            except ImageFileError as exc:
                errors.append(str(exc))
                continue
            self._items.append((image, str(path)))
            added += 1
        self._finish_adding(added, errors)
        return added

    def accept_image_mime(self, mime: QMimeData) -> int:
        return self.add_from_mime(mime)

    def add_from_mime(self, mime: QMimeData) -> int:
        """Add what a drop or the clipboard carries: local image files, or raw image data."""
        local = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []
        if local:
            return self.add_paths(local)
        if mime.hasUrls():
            self._message.show_error("Only files on this computer can be added (drop a local file).")
            return 0
        if mime.hasImage():
            return self._add_qimage(mime.imageData(), "pasted.png")
        self._message.show_error("That is not an image. Drop PNG, JPEG or WebP files.")
        return 0

    def remove_at(self, index: int) -> None:
        del self._items[index]
        self._message.clear_message()
        self._rebuild()
        self.changed.emit()

    def clear(self) -> None:
        if self._items:
            self.set_images([])

    def max_count(self) -> int:
        return self._max

    def set_max_count(self, count: int, why: str = "") -> None:
        """A new limit (Precise Edit: 4 references, 3 with a mask); ``why`` follows the refusal.
        Images already in stay (validation names the field): nothing the designer added is lost."""
        if (count, why) != (self._max, self._max_why):
            self._max, self._max_why = count, why
            self._rebuild()

    def is_full(self) -> bool:
        return len(self._items) >= self._max

    def message(self) -> FieldMessage:
        """The inline message that explains refused files."""
        return self._message

    def add_button(self) -> QToolButton:
        return self._add_button

    def remove_buttons(self) -> list[QToolButton]:
        return [t.remove_button for t in self._thumbs]

    def title(self) -> str:
        return self._title

    # ---- events ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.add_from_mime(QGuiApplication.clipboard().mimeData())
            event.accept()
            return
        super().keyPressEvent(event)

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("referenceZone")
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(
            f"{self._title}: drop PNG, JPEG or WebP files here, paste with Ctrl+V, or click +. "
            f"At most {self._max} image{'s' if self._max != 1 else ''}."
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.set_drop_highlight(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(4)
        self._thumb_area = QWidget(self)
        self._flow = FlowLayout(self._thumb_area, spacing=6)
        outer.addWidget(self._thumb_area)
        self._add_button = QToolButton(self._thumb_area)
        self._add_button.setObjectName("referenceAdd")
        self._add_button.setText("+")
        self._add_button.setFixedSize(QSize(THUMB, THUMB))
        self._add_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self._add_button.clicked.connect(self._on_browse)
        self._flow.addWidget(self._add_button)
        self._hint = QLabel(self._hint_text, self)
        self._hint.setWordWrap(True)
        self._hint.setObjectName("referenceHint")
        mute(self._hint)
        outer.addWidget(self._hint)
        self._message = FieldMessage(self)
        outer.addWidget(self._message)

    def set_drop_highlight(self, on: bool) -> None:
        zone = "drop-zone-active" if on else "drop-zone"
        theme.apply_style(self, zone, "reference-zone-buttons", frame="referenceZone")

    def _rebuild(self) -> None:
        for thumb in self._thumbs:
            self._flow.removeWidget(thumb)
            thumb.deleteLater()
        self._thumbs = []
        for i, (image, _) in enumerate(self._items):
            thumb = _Thumb(image, self._thumb_area)
            thumb.remove_requested.connect(self._on_remove_thumb)
            self._flow.insertWidget(i, thumb)
            thumb.show()
            self._thumbs.append(thumb)
        full = self.is_full()
        self._add_button.setEnabled(not full)
        self._add_button.setToolTip(self._full_message() if full else f"Add {self._title.lower()}…")
        n = len(self._items)
        self._hint.setVisible(n == 0)
        self._flow.invalidate()
        self._thumb_area.updateGeometry()

    def _full_message(self) -> str:
        text = f"{self._title} takes at most {self._max} image{'s' if self._max != 1 else ''}"
        return f"{text} {self._max_why}." if self._max_why else f"{text}."

    def _finish_adding(self, added: int, errors: list[str]) -> None:
        # What became of a reference's colour profile is said as it is added (converted, or damaged).
        notes = [f"{image.filename}: {image.colour_note}" for image, _ in self._items[-added:] if image.colour_note]
        if errors:
            self._message.show_error(" ".join(dict.fromkeys(errors)))
        elif notes and added:
            self._message.show_note(" ".join(notes))
        else:
            self._message.clear_message()
        if added:
            self._rebuild()
            self.changed.emit()

    def _add_qimage(self, data: object, filename: str) -> int:
        qimage = data if isinstance(data, QImage) else QImage(data)  # type: ignore[call-overload]
        if qimage.isNull():
            self._message.show_error("The clipboard holds no image.")
            return 0
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice  # (see ui/common/current_result.py)

        raw = QByteArray()
        buf = QBuffer(raw)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        qimage.save(buf, "PNG")  # type: ignore[call-overload]  # PySide6 takes str here
        buf.close()
        try:
            image = ImageFile.from_bytes(bytes(raw.data()), filename)
        except ImageFileError as exc:
            self._message.show_error(str(exc))
            return 0
        if self.is_full():
            self._message.show_error(self._full_message())
            return 0
        self._items.append((image, None))
        self._finish_adding(1, [])
        return 1

    # ---- slots -----------------------------------------------------------------------------
    @Slot(object)
    def _on_remove_thumb(self, thumb: _Thumb) -> None:
        if thumb in self._thumbs:
            self.remove_at(self._thumbs.index(thumb))

    @Slot()
    def _on_browse(self) -> None:
        if self._file_dialog is None:
            self._file_dialog = QFileDialog(self, f"Add {self._title.lower()}", "", IMAGE_FILTER)
            self._file_dialog.setFileMode(
                QFileDialog.FileMode.ExistingFile if self._max == 1 else QFileDialog.FileMode.ExistingFiles
            )
            self._file_dialog.filesSelected.connect(self._on_files_selected)
        self._file_dialog.open()

    @Slot(list)
    def _on_files_selected(self, files: list[str]) -> None:
        self.add_paths(files)
