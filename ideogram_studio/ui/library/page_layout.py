"""The library page's widgets and how they are laid out (LibraryPage, page.py, adds what they
do): the search row, the side bar, the grid with the trash bar above and the task bar and status
line below, the detail panel. Nothing here acts; it is built once, at once or in steps of a few
tens of milliseconds (`in_steps`: made ahead in the designer's quiet moments, ui/shell/idle_build.py)."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...gallery import Sort
from ..common import theme
from .actions import MenuItems
from .detail_panel import LibraryDetail
from .grid_view import DEFAULT_SIZE, MAX_SIZE, MIN_SIZE, LibraryGrid
from .search_field import SearchField, syntax_help
from .session import Found, LibrarySession
from .sidebar import LibraryFilters
from .task_bar import LibraryTaskBar

SORTS = ((Sort.NEWEST, "Newest first"), (Sort.OLDEST, "Oldest first"), (Sort.RATING, "Rating"),
         (Sort.PROMPT, "Prompt A→Z"))
SELECTION_DELAY_MS = 30
#: New results arriving within this time go into the grid as one batch.
FOUND_BATCH_MS = 40
MESSAGE_MS = 6000


def _large_text(label: QLabel) -> None:
    font = label.font()
    font.setPixelSize(theme.METRICS.large_text_px)
    label.setFont(font)


class PageLayout(QWidget):
    """The library page's widgets, built from a session (its model and thumbnails)."""

    def __init__(self, session: LibrarySession, parent: QWidget | None = None, *, send_to: MenuItems = (),
                 use_as: MenuItems = (), in_steps: bool = False) -> None:
        """`in_steps`: only the empty page now; `building` makes the rest a step at a time (the
        page is not to be used before it is exhausted)."""
        super().__init__(parent)
        #: What is left to build: one piece per step (the widgets, then what a subclass adds).
        self.building: Iterator[None] = self._build_steps(session, send_to, use_as)
        if not in_steps:
            for _step in self.building:
                pass

    def _build_steps(self, session: LibrarySession, send_to: MenuItems, use_as: MenuItems) -> Iterator[None]:
        """The widgets, a piece per step (subclasses add theirs after)."""
        self.setObjectName("library-page")
        theme.apply_style(self, "search-field")  # a search with mistakes: its field and message
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(4)

        top = QHBoxLayout()
        self.search_field = SearchField(self)
        self.search_field.setObjectName("library-search")
        self.search_field.setPlaceholderText("Search prompts and tags — try  castle -night tag:poster rating:>=4")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setToolTip(syntax_help())
        top.addWidget(self.search_field, 1)
        self.sort_combo = QComboBox(self)
        self.sort_combo.setObjectName("library-sort")
        for sort, label in SORTS:
            self.sort_combo.addItem(label, sort.value)
        self.sort_combo.setToolTip("Order of the grid")
        top.addWidget(self.sort_combo)
        size_label = QLabel("Size", self)
        top.addWidget(size_label)
        self.size_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.size_slider.setObjectName("library-size")
        self.size_slider.setRange(MIN_SIZE, MAX_SIZE)
        self.size_slider.setSingleStep(8)
        self.size_slider.setPageStep(32)
        self.size_slider.setValue(DEFAULT_SIZE)
        self.size_slider.setFixedWidth(140)
        self.size_slider.setToolTip("Thumbnail size")
        top.addWidget(self.size_slider)
        self.library_button = QToolButton(self)
        self.library_button.setText("Library ▾")
        self.library_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        theme.apply_style(self.library_button, "menu-button")  # (its text has the ▾: no second arrow)
        top.addWidget(self.library_button)
        outer.addLayout(top)
        self.search_error = QLabel(self)
        self.search_error.setObjectName("search-error")
        self.search_error.setWordWrap(True)
        self.search_error.hide()
        outer.addWidget(self.search_error)
        yield
        self.filters = LibraryFilters(self)
        self.filters.setMinimumWidth(190)
        yield
        self.detail = LibraryDetail(session.detail_thumbnails, self, send_to=send_to, use_as=use_as)
        yield

        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(4)
        self.trash_bar = QWidget(centre)
        self.trash_bar.setObjectName("trash-bar")
        trash_layout = QVBoxLayout(self.trash_bar)
        trash_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self._trash_label = QLabel("Trash: images stay here until you empty it. Select some and Restore.", centre)
        row.addWidget(self._trash_label, 1)
        self.restore_button = QPushButton("Restore", centre)
        self.restore_button.setObjectName("trash-restore")
        self.empty_button = QPushButton("Empty Trash…", centre)
        self.empty_button.setObjectName("trash-empty")
        row.addWidget(self.restore_button)
        row.addWidget(self.empty_button)
        trash_layout.addLayout(row)
        self._confirm_row = QWidget(centre)
        self._confirm_row.setObjectName("trash-confirm")
        theme.apply_style(self._confirm_row, "trash-confirm")
        confirm = QHBoxLayout(self._confirm_row)
        self._confirm_label = QLabel(self._confirm_row)
        self._confirm_label.setWordWrap(True)
        confirm.addWidget(self._confirm_label, 1)
        self._confirm_button = QPushButton("Delete for good", self._confirm_row)
        self._confirm_button.setObjectName("trash-confirm-delete")
        self._confirm_cancel = QPushButton("Cancel", self._confirm_row)
        confirm.addWidget(self._confirm_button)
        confirm.addWidget(self._confirm_cancel)
        trash_layout.addWidget(self._confirm_row)
        self._confirm_row.hide()
        self.trash_bar.hide()
        centre_layout.addWidget(self.trash_bar)
        yield
        self.grid = LibraryGrid(session.model, session.thumbnails, centre)
        self.grid.set_thumbnail_size(DEFAULT_SIZE)
        self._empty = QLabel(centre)
        self._empty.setObjectName("library-empty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        theme.mute(self._empty)
        _large_text(self._empty)
        self._missing = QWidget(centre)
        self._missing.setObjectName("library-missing")
        missing_layout = QVBoxLayout(self._missing)
        missing_layout.addStretch(1)
        self._missing_label = QLabel(self._missing)
        self._missing_label.setWordWrap(True)
        self._missing_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _large_text(self._missing_label)
        missing_layout.addWidget(self._missing_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.locate_button = QPushButton("Locate…", self._missing)
        self.locate_button.setObjectName("library-locate")
        self.retry_button = QPushButton("Try again", self._missing)
        buttons.addWidget(self.locate_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        missing_layout.addLayout(buttons)
        missing_layout.addStretch(2)
        self._centre_stack = QStackedWidget(centre)
        self._centre_stack.addWidget(self.grid)
        self._centre_stack.addWidget(self._empty)
        self._centre_stack.addWidget(self._missing)
        centre_layout.addWidget(self._centre_stack, 1)
        self.task_bar = LibraryTaskBar(centre)
        centre_layout.addWidget(self.task_bar)
        self.status = QLabel(centre)
        self.status.setObjectName("library-status")
        theme.mute(self.status)
        centre_layout.addWidget(self.status)
        yield
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("library-splitter")
        self.splitter.addWidget(self.filters)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 800, 340])
        outer.addWidget(self.splitter, 1)

        #: The detail panel follows the selection after a short quiet time (a held arrow key).
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(SELECTION_DELAY_MS)
        #: How long a message stays in the status line.
        # New results found within this time go into the grid together (page._insert_found).
        self._found: list[Found] = []
        self._found_timer = QTimer(self)
        self._found_timer.setSingleShot(True)
        self._found_timer.setInterval(FOUND_BATCH_MS)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(MESSAGE_MS)
