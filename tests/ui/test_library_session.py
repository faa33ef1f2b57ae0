"""LibrarySession driven without any page: searches (newer ones drop older results), a source that
pages its ids, the side bar's counts, writes with undo, the trash, tags and collections, failed
writes, a library that goes missing and comes back, and long work with its report."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ideogram_studio.gallery import Gallery, GalleryError, PurgeReport
from ideogram_studio.gallery.library_ops import LibraryProblem, ProblemKind
from ideogram_studio.gallery.library_source import Capability, IdPage, LibrarySource
from ideogram_studio.gallery.local_source import LocalLibrarySource
from ideogram_studio.gallery.search_syntax import Search, parse_search
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.library.reports import problem_text, purge_message
from ideogram_studio.ui.library.scope import SCOPE_COLLECTION, SCOPE_TRASH
from ideogram_studio.ui.library.session import LibrarySession, Shown, SideBarCounts
from tests.core.gallery_fixtures import store_result

from .helpers import wait_for

PROMPTS = ["a red kite", "a red fox", "a blue boat", "a green hill", "a red barn", "a grey cat", "a blue sky",
           "a red door", "a gold coin", "a pink shell", "a red rose", "a black swan"]


class GatedSource(LocalLibrarySource):
    """The local source, with gates a test can close: a search's ids, rows, and a rating write."""

    def __init__(self, gallery: Gallery, *, page_size: int | None = None) -> None:
        super().__init__(gallery)
        self.id_page_size = page_size
        self.search_gates: dict[str, threading.Event] = {}
        self.rows_gate: threading.Event | None = None
        self.rating_gate: threading.Event | None = None
        self.fail_writes = False

    def id_page(self, search: Search, *, after: object | None = None, limit: int | None = None) -> IdPage:
        gate = self.search_gates.get(search.query.text)
        if gate is not None:
            gate.wait(10)
        return super().id_page(search, after=after, limit=limit)

    def rows_for(self, ids: Sequence[int]) -> list[Any]:
        gate = self.rows_gate
        if gate is not None and threading.current_thread().name.startswith("library-io"):
            gate.wait(10)
        return super().rows_for(ids)

    def set_rating(self, ids: Sequence[int], stars: int) -> None:
        if self.fail_writes:
            raise GalleryError("The library is read-only just now.")
        if self.rating_gate is not None and stars == 5:
            self.rating_gate.wait(10)
        super().set_rating(ids, stars)


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    t0 = datetime(2025, 6, 1, tzinfo=UTC)
    for i, prompt in enumerate(PROMPTS):
        store_result(g, i + 1, prompt, created_at=t0 + timedelta(minutes=i))
    yield g
    g.close()


class Harness:
    def __init__(self, qtbot: QtBot, session: LibrarySession, source: GatedSource) -> None:
        self.qtbot, self.session, self.source = qtbot, session, source
        self.shown: list[Shown] = []
        self.counts: list[SideBarCounts] = []
        self.messages: list[str] = []
        session.results_shown.connect(self.shown.append)
        session.counts_ready.connect(self.counts.append)
        session.message.connect(self.messages.append)

    def search(self, text: str = "") -> Shown:
        with self.qtbot.waitSignal(self.session.results_shown, timeout=10000) as blocker:
            self.session.set_text(text, debounce=False)
        shown: Shown = blocker.args[0]
        return shown

    def hashes(self) -> list[str]:
        model = self.session.model
        return [r.hash for r in model.fetch_now(range(model.rowCount()))]

    def wait_writes(self) -> None:
        self.qtbot.waitUntil(lambda: not [t for t in self.session.runner.running()
                                          if t.get_name().startswith(("library-write", "library-refetch"))],
                             timeout=10000)


@contextlib.contextmanager
def open_session(qtbot: QtBot, source: GatedSource) -> Iterator[Harness]:
    runner = TaskRunner()
    session = LibrarySession(source, runner)
    harness = Harness(qtbot, session, source)
    try:
        yield harness
    finally:
        for gate in (*source.search_gates.values(), source.rows_gate, source.rating_gate):
            if gate is not None:
                gate.set()
        session.shutdown()
        wait_for(qtbot, runner.cancel_all())
        session.deleteLater()


@pytest.fixture
def lib(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, gallery: Gallery) -> Iterator[Harness]:
    with open_session(qtbot, GatedSource(gallery)) as harness:
        yield harness


def test_the_local_source_answers_the_protocol(gallery: Gallery) -> None:
    source = LocalLibrarySource(gallery)
    try:
        assert isinstance(source, LibrarySource)
        assert source.capabilities == frozenset(Capability)
        assert source.maintenance() is source
    finally:
        source.close()


VIEW_MODEL = ("session", "browsing", "maintenance_tasks", "undo_commands", "scope", "reports", "grid_model")


@pytest.mark.parametrize("module", VIEW_MODEL)
def test_the_view_model_builds_no_widgets(module: str) -> None:
    """Qt-light: the session's modules use QtCore and QtGui (timers, undo, images), never QtWidgets."""
    path = Path(__file__).resolve().parents[2] / "ideogram_studio" / "ui" / "library" / f"{module}.py"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not {m for m in imported if m.startswith("PySide6.QtWidgets")}, module
    assert not {m for m in imported if m.lstrip(".") in ("page", "page_layout", "page_actions", "grid_view",
                                                          "detail_panel", "sidebar", "task_bar")}, module


def test_typing_searches_once_after_a_quiet_moment(qtbot: QtBot, lib: Harness) -> None:
    issues: list[tuple[Any, ...]] = []
    lib.session.issues_changed.connect(issues.append)
    for i in range(1, 4):
        lib.session.set_text("red"[:i])  # one key at a time, faster than the debounce
    with qtbot.waitSignal(lib.session.results_shown, timeout=10000) as blocker:
        pass
    assert blocker.args[0].count == 5 and len(lib.shown) == 1
    assert all("red" in (r.prompt or "") for r in lib.session.model.fetch_now(range(5)))
    assert issues[-1] == ()
    lib.session.set_text("red foo:bar", debounce=False)
    assert issues[-1] and issues[-1][0].message.startswith("Unknown filter")


def test_a_search_superseded_while_it_runs_is_never_shown(qtbot: QtBot, lib: Harness) -> None:
    slow = threading.Event()
    lib.source.search_gates["blue"] = slow
    lib.session.set_text("blue", debounce=False)  # held in the source
    lib.session.set_text("red", debounce=False)  # a newer search, asked while blue runs
    slow.set()
    with qtbot.waitSignal(lib.session.results_shown, timeout=10000) as blocker:
        pass
    qtbot.waitUntil(lambda: not [t for t in lib.session.runner.running() if t.get_name() == "library-search"],
                    timeout=10000)
    assert blocker.args[0].count == 5 and len(lib.shown) == 1  # blue's result never shown
    assert all("red" in (r.prompt or "") for r in lib.session.model.fetch_now(range(5)))


def test_a_source_that_pages_fills_the_grid_page_by_page(qtbot: QtBot, qloop: asyncio.AbstractEventLoop,
                                                         gallery: Gallery) -> None:
    with open_session(qtbot, GatedSource(gallery, page_size=5)) as harness:
        pages: list[int] = []
        harness.session.rows_changed.connect(lambda: pages.append(harness.session.model.rowCount()))
        shown = harness.search("")
        assert shown.count == 5  # the first page
        qtbot.waitUntil(lambda: harness.session.model.rowCount() == len(PROMPTS), timeout=10000)
        assert pages == [10, 12]
        whole = harness.source.reader.ids(parse_search(""))
        assert harness.session.model.ids() == whole


def test_counts_follow_the_search(qtbot: QtBot, lib: Harness) -> None:
    lib.search("red")
    qtbot.waitUntil(lambda: bool(lib.counts), timeout=10000)
    counts = lib.counts[-1]
    assert counts.search.query.text == "red"
    assert counts.total == len(PROMPTS) and counts.trash == 0
    assert counts.facets == lib.source.facets(lib.session.search())
    assert sum(v.count for v in counts.facets["operation"]) == 5


def test_favourite_and_rating_change_at_once_and_undo(qtbot: QtBot, lib: Harness) -> None:
    lib.search("")
    g = lib.source.gallery
    first, second = lib.session.model.ids()[:2]
    lib.session.toggle_favourite([first, second])
    assert all(r.favourite for r in lib.session.model.fetch_now([0, 1]))  # the grid, before the source
    qtbot.waitUntil(lambda: all(g.get(i).favourite for i in (first, second)), timeout=5000)  # type: ignore[union-attr]
    lib.session.rate([first], 3)
    qtbot.waitUntil(lambda: g.get(first).rating == 3, timeout=5000)  # type: ignore[union-attr]
    lib.session.undo_stack.undo()
    qtbot.waitUntil(lambda: g.get(first).rating == 0, timeout=5000)  # type: ignore[union-attr]
    lib.session.undo_stack.undo()
    qtbot.waitUntil(lambda: not g.get(first).favourite, timeout=5000)  # type: ignore[union-attr]
    lib.session.undo_stack.redo()
    qtbot.waitUntil(lambda: g.get(second).favourite, timeout=5000)  # type: ignore[union-attr]


def test_a_refetch_older_than_a_newer_edit_is_dropped(qtbot: QtBot, lib: Harness) -> None:
    lib.search("")
    image_id = lib.session.model.ids()[0]
    lib.source.rows_gate = held_rows = threading.Event()
    lib.source.rating_gate = held_write = threading.Event()
    lib.session.rate([image_id], 3)  # written; its refetch is held before it reads
    qtbot.waitUntil(lambda: lib.source.gallery.get(image_id).rating == 3, timeout=5000)  # type: ignore[union-attr]
    lib.session.rate([image_id], 5)  # shown at once; its write is held
    assert lib.session.model.image(0).rating == 5  # type: ignore[union-attr]
    held_rows.set()  # the first refetch reads 3 from the source…
    qtbot.waitUntil(lambda: not [t for t in lib.session.runner.running() if t.get_name() == "library-refetch"],
                    timeout=5000)
    assert lib.session.model.image(0).rating == 5  # type: ignore[union-attr]  # …and is not shown over the 5
    held_write.set()
    lib.wait_writes()
    assert lib.session.model.image(0).rating == 5  # type: ignore[union-attr]
    assert lib.source.gallery.get(image_id).rating == 5  # type: ignore[union-attr]


def test_trash_selects_the_neighbour_undo_restores_and_purge_is_final(qtbot: QtBot, lib: Harness) -> None:
    lib.search("")
    g = lib.source.gallery
    ids = list(lib.session.model.ids())
    with qtbot.waitSignal(lib.session.select_row, timeout=5000) as selected:
        lib.session.trash([ids[3]])
    assert selected.args == [3] and lib.session.model.rowCount() == len(PROMPTS) - 1
    assert lib.messages[-1].startswith("Moved 1 image(s) to the Trash")
    qtbot.waitUntil(lambda: g.get(ids[3]).trashed_at is not None, timeout=5000)  # type: ignore[union-attr]
    with qtbot.waitSignal(lib.session.results_shown, timeout=10000) as restored:
        lib.session.undo_stack.undo()
    assert restored.args[0].select == [ids[3]] and restored.args[0].current == ids[3]
    assert g.get(ids[3]).trashed_at is None  # type: ignore[union-attr]
    lib.session.trash([ids[0], ids[1]])
    lib.wait_writes()
    lib.session.purge([ids[0]])
    assert "Only images in the Trash" in lib.messages[-1]  # not from the grid of every image
    with qtbot.waitSignal(lib.session.results_shown, timeout=10000):
        lib.session.set_scope(SCOPE_TRASH)
    assert sorted(lib.session.model.ids()) == sorted([ids[0], ids[1]])
    purged = g.get(ids[0]).hash  # type: ignore[union-attr]
    with qtbot.waitSignal(lib.session.results_shown, timeout=10000):
        lib.session.purge([ids[0]])
    assert lib.messages[-1] == purge_message(PurgeReport(purged=[purged])) == "Deleted 1 image(s) for good."
    assert g.get(ids[0]) is None and lib.session.undo_stack.count() == 0  # nothing to undo into
    assert lib.session.model.ids() == [ids[1]]


def test_tags_and_collections(qtbot: QtBot, lib: Harness) -> None:
    lib.search("")
    g = lib.source.gallery
    ids = lib.session.model.ids()[:3]
    with qtbot.waitSignal(lib.session.detail_stale, timeout=5000):
        lib.session.add_tags(ids[:2], ["poster", "client a"])
    qtbot.waitUntil(lambda: set(lib.session.model.image(0).tags) == {"client a", "poster"},  # type: ignore[union-attr]
                    timeout=5000)
    lib.session.remove_tag(ids[:1], "poster")
    qtbot.waitUntil(lambda: g.get(ids[0]).tags == ("client a",), timeout=5000)  # type: ignore[union-attr]
    with qtbot.waitSignal(lib.session.collection_created, timeout=10000) as made:
        lib.session.create_collection()
    collection = made.args[0]
    assert any(c.id == collection for c in lib.counts[-1].collections)  # the side bar lists it already
    lib.session.add_to_collection(collection, ids)
    lib.wait_writes()
    assert lib.messages[-1] == "Added 3 image(s) to the collection."
    with qtbot.waitSignal(lib.session.results_shown, timeout=10000):
        lib.session.set_scope(SCOPE_COLLECTION, collection)
    assert sorted(lib.session.model.ids()) == sorted(ids)
    with qtbot.waitSignal(lib.session.scope_changed, timeout=10000) as scope:
        lib.session.delete_collection(collection)  # the grid looked at it: back to every image
    assert scope.args == ["all", None]


def test_a_failed_write_says_why_and_shows_the_truth_again(qtbot: QtBot, lib: Harness) -> None:
    lib.search("")
    image_id = lib.session.model.ids()[0]
    lib.source.fail_writes = True
    with qtbot.waitSignal(lib.session.results_shown, timeout=10000):
        lib.session.rate([image_id], 4)
    assert lib.messages[-1] == "The library is read-only just now."
    qtbot.waitUntil(lambda: lib.session.model.image(0) is not None, timeout=5000)
    assert lib.session.model.image(0).rating == 0  # type: ignore[union-attr]


def test_a_missing_library_is_reported_and_found_again(qtbot: QtBot, lib: Harness) -> None:
    lib.search("")
    g = lib.source.gallery
    problems: list[LibraryProblem | None] = []
    lib.session.problem_changed.connect(problems.append)
    moved = g.data_dir.with_name("elsewhere")
    g.data_dir.rename(moved)
    try:
        lib.session.refresh()
        assert problems == [LibraryProblem(ProblemKind.FOLDER_MISSING, g.data_dir)]
        assert lib.session.is_missing() and lib.session.model.rowCount() == 0
        assert "cannot be found" in problem_text(problems[0])
    finally:
        moved.rename(g.data_dir)
    shown = lib.search("")
    assert problems[-1] is None and shown.count == len(PROMPTS)


def test_long_work_reports_in_words(qtbot: QtBot, lib: Harness, tmp_path: Path) -> None:
    lib.search("")
    reports: list[Any] = []
    lib.session.tasks.finished.connect(lambda report, actions: reports.append((report, actions)))
    out = tmp_path / "out"
    lib.session.export(lib.session.model.ids()[:2], out)
    qtbot.waitUntil(lambda: bool(reports), timeout=10000)
    assert reports[-1][0].summary.startswith("Exported 2 images") and len(list(out.iterdir())) == 2
    lib.source.gallery.path_for(lib.hashes()[0]).unlink()
    lib.session.check_library()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=30000)
    report, actions = reports[-1]
    assert not report.ok and "1 missing" in report.summary and actions == ("Repair",)
    with qtbot.waitSignal(lib.session.results_shown, timeout=30000):
        lib.session.run_task_action("Repair")
    assert lib.session.model.rowCount() == len(PROMPTS) - 1
    enabled: list[bool] = []
    lib.session.enabled_changed.connect(enabled.append)
    with qtbot.waitSignal(lib.session.results_shown, timeout=60000):
        lib.session.rebuild_index()
    assert enabled == [False, True] and reports[-1][0].summary.startswith("Rebuilt the index")


def test_a_choice_made_while_a_search_is_read_is_kept(qtbot: QtBot, lib: Harness) -> None:
    """A search keeps the selection it began with; one the designer made while it was being read
    (Ctrl+clicks on the results still on show) is theirs and stays, even when the search began as one
    that clears the selection (a new scope, the page's first show)."""
    chosen: list[tuple[list[int], int | None]] = [([], None)]
    lib.session.keep_selection_from(lambda: chosen[0])
    lib.search("red")
    for keep in (True, False):
        gate = lib.source.search_gates["red"] = threading.Event()
        lib.session.search_now(keep_selection=keep)  # held in the source
        chosen[0] = ([3, 5], 5)  # the designer selects two meanwhile
        with qtbot.waitSignal(lib.session.results_shown, timeout=10000) as blocker:
            gate.set()
        assert (blocker.args[0].select, blocker.args[0].current) == ([3, 5], 5)
        chosen[0] = ([], None)
    # Unchanged while read: a search that clears the selection still clears it.
    chosen[0] = ([3, 5], 5)
    gate = lib.source.search_gates["red"] = threading.Event()
    lib.session.search_now(keep_selection=False)
    with qtbot.waitSignal(lib.session.results_shown, timeout=10000) as blocker:
        gate.set()
    assert (blocker.args[0].select, blocker.args[0].current) == ([], None)
