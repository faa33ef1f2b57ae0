"""The source image of an image workflow (edit, face swap, remix, reframe, replace background).

One picker per mode. The image comes from a file (Open…, a non-blocking dialog), the clipboard
(Paste or Ctrl+V while the picker has focus), a drop (local files or image data), or the library
("Send to…", through ``set_image_file``). Bad input never replaces a good image: the picker says
why inline and keeps what it had. A file over the endpoint's size limit is held back with an
offer to downscale it; nothing is re-encoded silently. Odd modes and unwanted transparency are
converted (see ``ideogram_studio.imaging.source_prep``) with a visible note; anything else keeps its
exact bytes, so a library image sent here keeps its content hash and the result's lineage.

A large file (over `LARGE_PIXELS`) and a downscale are read in a worker (`source_loading`): the
picker shows a small preview and "Reading…" at once, and the image when it is ready; the window
keeps answering meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.errors import ImageFileError
from ...api.images import ImageFile
from ...api.limits import file_size_limit
from ...imaging.source_prep import Prepared, describe, downscale_to_fit, format_bytes, prepare
from ..common import theme
from ..common.field_errors import FieldMessage
from ..common.image_decode import ALLOCATION_LIMIT_MB, read_image_bytes
from ..common.paintable_image import paintable, read_image_file
from ..common.theme import mute
from ..widgets.image_drop import ImageDropTarget
from .source_loading import LARGE_PIXELS, Loaded, SourceLoader, header_pixels

THUMB = 76
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp);;All files (*)"


def decode_qimage(data: bytes) -> QImage:
    """Decode for display, as the API sees the pixels: no EXIF rotation (QImageReader's default),
    large images allowed (the allocation limit is process-wide in Qt 6).

    QImage.fromData reads through a buffer Qt makes itself. A QBuffer made here is a Python object
    whose virtual calls need the GIL; Qt calls them holding its image-plugin lock, and a worker
    decoding at the same moment holds the GIL while it waits for that lock: a deadlock (seen in CI)."""
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    return QImage.fromData(data)


def qimage_png_bytes(image: QImage) -> bytes:
    raw = QByteArray()
    buf = QBuffer(raw)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")  # type: ignore[call-overload]  # PySide6 takes str here
    buf.close()
    return bytes(raw.data())


def thumbnail_image(image: QImage, size: int = THUMB) -> QImage:
    """The whole image fitted in a size×size square (a big image is first reduced cheaply); a
    QImage, so a worker can make it."""
    if image.isNull():
        return QImage()
    work = image
    if max(image.width(), image.height()) > size * 8:
        work = image.scaled(size * 4, size * 4, Qt.AspectRatioMode.KeepAspectRatio)
    return work.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def thumbnail_pixmap(image: QImage, size: int = THUMB) -> QPixmap:
    thumb = thumbnail_image(image, size)
    return QPixmap.fromImage(thumb) if not thumb.isNull() else QPixmap()


def _loaded(prepared: Prepared, limit: int, decoded: QImage | None = None, file: Path | None = None) -> Loaded:
    """A worker's job after the file is read: over the limit it is held back (nothing decoded),
    otherwise decoded for display (`decoded`: these very pixels, decoded already; `file`: a file with
    these very pixels) in the format Qt paints as it is, with its thumbnail. Every decode here goes
    through a QImageReader on a file, which lets the GIL go (see ui.common.paintable_image)."""
    if len(prepared.image.data) > limit:
        return Loaded(prepared, QImage(), QImage())
    if decoded is not None and not decoded.isNull():
        qimage = decoded
    elif file is not None:
        qimage, _reason = read_image_file(file)
    else:
        qimage = read_image_bytes(prepared.image.data)
    if qimage.isNull():
        raise ImageFileError(f"{prepared.image.filename} cannot be shown (the image decoder refused it).")
    qimage = paintable(qimage)
    return Loaded(prepared, qimage, thumbnail_image(qimage))


class SourceImagePicker(ImageDropTarget, QFrame):
    """Pick the mode's source image. ``image()`` is always an image the endpoint can take
    (or None); ``image_changed`` fires whenever it changes."""

    image_changed = Signal()
    #: An image was refused (the sentence is shown at the picker; the current image is kept).
    refused = Signal(str)

    def __init__(
        self,
        endpoint: str,
        purpose: str,
        parent: QWidget | None = None,
        *,
        keep_alpha: bool = False,
        allow_clear: bool = True,
    ) -> None:
        super().__init__(parent)
        self._endpoint = endpoint
        self._purpose = purpose
        self._keep_alpha = keep_alpha
        self._allow_clear = allow_clear
        self._image: ImageFile | None = None
        self._origin: str | None = None
        self._qimage = QImage()
        self._note = ""
        self._pending: tuple[ImageFile, str | None, str] | None = None
        #: The thumbnail a worker made with the image (None: made from the image when shown).
        self._thumbnail: QImage | None = None
        self._dialog: QFileDialog | None = None
        #: Large files and downscales are read here, off the GUI thread.
        self._loader = SourceLoader(self)
        self._loader.preview.connect(self._on_preview)
        self._loader.loaded.connect(self._on_loaded)
        self._loader.failed.connect(self._on_load_failed)
        #: The file a worker is reading (shown as "Reading…"), and where it came from.
        self._loading: tuple[str, str | None] | None = None
        self._setup_ui()
        self._update_view()

    # ---- public ----------------------------------------------------------------------------
    def image(self) -> ImageFile | None:
        return self._image

    def origin_hash(self) -> str | None:
        """The library image this came from ("Send to…"), if any."""
        return self._origin

    def qimage(self) -> QImage:
        """The image decoded for display (null when there is none)."""
        return self._qimage

    def note(self) -> str:
        """What was done to the image on the way in ("" when its bytes are the file's)."""
        return self._note

    def is_loading(self) -> bool:
        """A worker is reading a file or making a downscaled copy (`image_changed` follows, or a message)."""
        return self._loading is not None

    def pending(self) -> ImageFile | None:
        """An image held back because it is over the size limit (waiting for "Downscale to fit")."""
        return self._pending[0] if self._pending else None

    def size_limit(self) -> int:
        return file_size_limit(self._endpoint, "image")

    def endpoint(self) -> str:
        return self._endpoint

    def keeps_alpha(self) -> bool:
        return self._keep_alpha

    def message(self) -> FieldMessage:
        """Why the last input was refused (or held back)."""
        return self._message

    def note_label(self) -> QLabel:
        return self._note_label

    def info_label(self) -> QLabel:
        return self._info

    def thumbnail_label(self) -> QLabel:
        return self._thumb

    def set_image_file(
        self, image: ImageFile, origin_hash: str | None = None, *, convert: bool = True, in_worker: bool = False
    ) -> bool:
        """Use this image (e.g. a library image for "Send to…"). ``convert=False`` keeps it
        byte-exact even in an odd mode (reusing a job's own input). False if it was refused.
        ``in_worker``: a large image kept as it is is decoded in a worker (an 8K one held the window
        ~0.4 s); True then means it is on its way (``image_changed`` when it is in, or ``refused``)."""
        self._stop_loading()
        large = image.width * image.height > LARGE_PIXELS
        if not (in_worker and large and not convert and len(image.data) <= self.size_limit()):
            return self._accept(image, origin_hash, convert)
        limit = self.size_limit()
        self._loading = (image.filename, origin_hash)
        self._message.clear_message()
        self._loader.start(lambda: _loaded(Prepared(image), limit))
        self._update_view()
        return True

    def load_path(self, path: str | Path) -> bool:
        """Use the image in a file. A large one is read in a worker: True then means it is being
        read (`image_changed` when it is in, or a message saying why not)."""
        self._stop_loading()
        if header_pixels(path) > LARGE_PIXELS:
            return self._load_in_worker(Path(path))
        try:
            image = ImageFile.from_path(path)
        except ImageFileError as exc:
            self._refuse(str(exc))
            return False
        return self._accept(image, None, True)

    def load_bytes(self, data: bytes, filename: str = "pasted.png") -> bool:
        self._stop_loading()
        try:
            image = ImageFile.from_bytes(data, filename)
        except ImageFileError as exc:
            self._refuse(str(exc))
            return False
        return self._accept(image, None, True)

    def accept_image_mime(self, mime: QMimeData) -> bool:
        return self.load_mime(mime)

    def load_mime(self, mime: QMimeData) -> bool:
        """What a drop or the clipboard carries: a local image file, or image data."""
        if mime.hasUrls():
            local = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
            if not local:
                self._refuse("Only files on this computer can be used (drop a local file).")
                return False
            return self.load_path(local[0])
        if mime.hasImage():
            data = mime.imageData()
            qimage = data if isinstance(data, QImage) else QImage(data)
            if qimage.isNull():
                self._refuse("The clipboard holds no image.")
                return False
            return self.load_bytes(qimage_png_bytes(qimage), "pasted.png")
        self._refuse("That is not an image. Use a PNG, JPEG or WebP file.")
        return False

    def paste(self) -> bool:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            self._refuse("The clipboard is empty.")
            return False
        return self.load_mime(mime)

    def open_dialog(self) -> QFileDialog:
        """Show the (non-blocking) Open dialog; a chosen file is loaded when it closes."""
        if self._dialog is None:
            self._dialog = QFileDialog(self, f"Open the {self._purpose} source image", "", IMAGE_FILTER)
            self._dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            self._dialog.fileSelected.connect(self._on_file_selected)
        self._dialog.open()
        return self._dialog

    def downscale(self) -> bool:
        """Make the held-back image fit the limit, and use it."""
        if self._pending is None:
            return False
        image, _origin, note = self._pending
        limit, keep_alpha = self.size_limit(), self._keep_alpha

        def work() -> Loaded:  # in a worker: scaling and re-encoding an 8K image takes seconds
            smaller, how = downscale_to_fit(image, limit, keep_alpha=keep_alpha)
            return _loaded(Prepared(smaller, " ".join(t for t in (note, how) if t)), limit)

        self._loading = (image.filename, None)
        self._loader.start(work)
        self._downscale_button.setEnabled(False)
        self._update_view()
        return True

    def discard_pending(self) -> None:
        """Forget the held-back image and keep the current one."""
        self._pending = None
        self._message.clear_message()
        self._update_view()

    def clear(self) -> None:
        self._stop_loading()
        if self._image is None and self._pending is None:
            return
        self._pending = None
        self._image, self._origin, self._qimage, self._note = None, None, QImage(), ""
        self._thumbnail = None
        self._message.clear_message()
        self._update_view()
        self.image_changed.emit()

    # buttons, for tests and key navigation
    def open_button(self) -> QToolButton:
        return self._open_button

    def paste_button(self) -> QToolButton:
        return self._paste_button

    def clear_button(self) -> QToolButton:
        return self._clear_button

    def downscale_button(self) -> QPushButton:
        return self._downscale_button

    def keep_button(self) -> QPushButton:
        return self._keep_button

    # ---- events ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            event.accept()
            return
        super().keyPressEvent(event)

    # ---- internals -------------------------------------------------------------------------
    def _accept(self, image: ImageFile, origin: str | None, convert: bool) -> bool:
        if convert:
            try:
                prepared = prepare(image, keep_alpha=self._keep_alpha)
            except (ImageFileError, OSError, ValueError) as exc:
                self._refuse(f"{image.filename} cannot be converted ({exc}).")
                return False
        else:
            prepared = Prepared(image)
        if len(prepared.image.data) > self.size_limit():
            self._hold_back(prepared, origin, image.filename)
            return False
        return self._use(prepared.image, origin, prepared.note)

    def _hold_back(self, prepared: Prepared, origin: str | None, filename: str) -> None:
        """Over the size limit: kept aside with the offer to downscale it; the current image stays."""
        candidate, limit = prepared.image, self.size_limit()
        self._pending = (candidate, origin, prepared.note)
        self._message.show_error(
            f"{filename} is {format_bytes(len(candidate.data))}; {self._purpose} takes images up to "
            f"{format_bytes(limit)}. Nothing was changed: downscale it to fit, or keep the current image."
        )
        self._update_view()

    def _use(
        self, image: ImageFile, origin: str | None, note: str, decoded: QImage | None = None,
        thumbnail: QImage | None = None,
    ) -> bool:  # fmt: skip
        qimage = decoded if decoded is not None else decode_qimage(image.data)
        if qimage.isNull():
            self._refuse(f"{image.filename} cannot be shown (the image decoder refused it).")
            return False
        self._pending = None
        # What became of its colour profile is said too ("Converted from Display P3 to sRGB.", or a
        # damaged profile sent as it is), before anything is sent.
        note = " ".join(t for t in (image.colour_note, note) if t)
        self._image, self._origin, self._qimage, self._note = image, origin, qimage, note
        self._thumbnail = thumbnail
        self._message.clear_message()
        self._update_view()
        self.image_changed.emit()
        return True

    def _load_in_worker(self, path: Path) -> bool:
        keep_alpha, limit = self._keep_alpha, self.size_limit()

        def work(whole: QImage) -> Loaded:  # in a worker: Pillow checks the whole file, Qt decodes it for display
            image = ImageFile.from_path(path)
            try:
                prepared = prepare(image, keep_alpha=keep_alpha)
            except (OSError, ValueError) as exc:
                raise ImageFileError(f"{image.filename} cannot be converted ({exc}).") from exc
            # The file's pixels are the image to show when it is sent as it is (metadata stripped, but
            # neither converted nor its colours changed): the preview's decode of the file, or the file
            # decoded now (a JPEG preview is decoded at a fraction of the size).
            if prepared.image.data == image.data and not image.colour_note:
                return _loaded(prepared, limit, whole, path)
            return _loaded(prepared, limit)

        self._loading = (path.name, None)
        self._message.clear_message()
        self._loader.start(work, preview_of=path)
        self._update_view()
        return True

    def _stop_loading(self) -> None:
        """A newer choice wins: what a worker is still reading is dropped when it arrives."""
        if self._loading is not None:
            self._loader.cancel()
            self._loading = None
            self._downscale_button.setEnabled(True)

    @Slot(int, QImage, QSize)
    def _on_preview(self, ticket: int, small: QImage, full: QSize) -> None:
        if not self._loader.is_current(ticket) or self._loading is None:
            return
        if not small.isNull():
            self._thumb.setText("")
            self._thumb.setPixmap(thumbnail_pixmap(small))
        self._name.setText(self._loading[0])
        self._info.setText(f"{full.width()}×{full.height()} · reading…")

    @Slot(int, object)
    def _on_loaded(self, ticket: int, loaded: Loaded) -> None:
        if not self._loader.is_current(ticket) or self._loading is None:
            return
        origin = self._loading[1]
        self._loading = None
        self._downscale_button.setEnabled(True)
        prepared = loaded.prepared
        if loaded.qimage.isNull():  # over the size limit: held back, as a file read here would be
            self._hold_back(prepared, origin, prepared.image.filename)
            return
        self._use(prepared.image, origin, prepared.note, loaded.qimage, loaded.thumbnail)

    @Slot(int, str)
    def _on_load_failed(self, ticket: int, text: str) -> None:
        if not self._loader.is_current(ticket) or self._loading is None:
            return
        self._loading = None
        self._downscale_button.setEnabled(True)
        if self._pending is not None:  # a downscale that found no size to fit: the image stays held back
            self._message.show_error(text)
            self._update_view()
            return
        self._refuse(text)

    def _refuse(self, text: str) -> None:
        kept = " The current image is kept." if self._image is not None else ""
        self._message.show_error(text + kept)
        self._update_view()
        self.refused.emit(text)

    def _setup_ui(self) -> None:
        self.setObjectName("sourcePicker")
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.setToolTip(
            f"The {self._purpose} source image: drop a PNG, JPEG or WebP file here, paste with Ctrl+V, "
            "click Open…, or use “Send to…” on a result."
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(10)
        self._thumb = QLabel(self)
        self._thumb.setObjectName("sourceThumb")
        self._thumb.setFixedSize(QSize(THUMB, THUMB))
        self._thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self._thumb)
        text = QVBoxLayout()
        text.setSpacing(2)
        self._name = QLabel(self)
        self._name.setObjectName("sourceName")
        self._name.setTextFormat(Qt.TextFormat.PlainText)
        self._name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = self._name.font()
        font.setBold(True)
        self._name.setFont(font)
        text.addWidget(self._name)
        self._info = QLabel(self)
        self._info.setObjectName("sourceInfo")
        self._info.setTextFormat(Qt.TextFormat.PlainText)
        self._info.setWordWrap(True)
        text.addWidget(self._info)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self._open_button = self._tool_button("Open…", "Open an image file")
        self._open_button.clicked.connect(self.open_dialog)
        self._paste_button = self._tool_button("Paste", "Paste an image or an image file from the clipboard (Ctrl+V)")
        self._paste_button.clicked.connect(self.paste)
        self._clear_button = self._tool_button("Remove", "Remove the source image")
        self._clear_button.clicked.connect(self.clear)
        self._clear_button.setVisible(self._allow_clear)
        for b in (self._open_button, self._paste_button, self._clear_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        text.addLayout(buttons)
        text.addStretch(1)
        row.addLayout(text, 1)
        outer.addLayout(row)

        self._note_label = QLabel(self)
        self._note_label.setObjectName("sourceNote")
        self._note_label.setWordWrap(True)
        self._note_label.setTextFormat(Qt.TextFormat.PlainText)
        mute(self._note_label, 0.3)
        outer.addWidget(self._note_label)
        self._message = FieldMessage(self)
        outer.addWidget(self._message)
        pending_row = QHBoxLayout()
        pending_row.setSpacing(6)
        self._downscale_button = QPushButton("Downscale to fit", self)
        self._downscale_button.setToolTip("Re-encode a smaller copy that fits the size limit, and use it")
        self._downscale_button.clicked.connect(self.downscale)
        self._keep_button = QPushButton("Keep the current image", self)
        self._keep_button.clicked.connect(self.discard_pending)
        pending_row.addWidget(self._downscale_button)
        pending_row.addWidget(self._keep_button)
        pending_row.addStretch(1)
        outer.addLayout(pending_row)
        self.set_drop_highlight(False)

    def _tool_button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def set_drop_highlight(self, on: bool) -> None:
        zone = "drop-zone-active" if on else "drop-zone"
        theme.apply_style(self, zone, "source-thumb", frame="sourcePicker")

    def _update_view(self) -> None:
        image = self._image
        if image is None:
            self._thumb.setPixmap(QPixmap())
            self._thumb.setText("Drop\nimage")
            self._name.setText("No source image")
            self._info.setText("Drop an image here, paste it (Ctrl+V), open a file, or send a result here.")
        else:
            self._thumb.setText("")
            thumb = self._thumbnail
            self._thumb.setPixmap(QPixmap.fromImage(thumb) if thumb is not None else thumbnail_pixmap(self._qimage))
            self._name.setText(image.filename)
            origin = " · from the library" if self._origin else ""
            self._info.setText(describe(image) + origin)
            self._name.setToolTip(image.filename)
        if self._loading is not None:
            self._info.setText(f"Reading {self._loading[0]}…")
        self._note_label.setText(self._note)
        self._note_label.setVisible(bool(self._note) and image is not None)
        self._clear_button.setEnabled(image is not None)
        pending = self._pending is not None
        self._downscale_button.setVisible(pending)
        self._keep_button.setVisible(pending)
        self._keep_button.setText("Keep the current image" if image is not None else "Cancel")

    # ---- slots -----------------------------------------------------------------------------
    @Slot(str)
    def _on_file_selected(self, path: str) -> None:
        if path:
            self.load_path(path)
