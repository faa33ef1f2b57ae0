"""The prompt library pop-up and its view-model, with a real PromptLibrary on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton

from ideogram_studio.ui.common.prompt_history import PromptHistory
from ideogram_studio.ui.widgets.prompt_popup import PromptPopup


@pytest.fixture
def history(tmp_path: Path, qtbot: Any) -> Iterator[PromptHistory]:
    h = PromptHistory.open(tmp_path)
    for i, text in enumerate(["a lighthouse at dusk", "a harbour in fog", "<b>URGENT</b> \u202eevil"]):
        h._library.record(text, mode="generate", model="ideogram-3", when=f"2026-12-0{i + 1}T10:00:00Z")
    yield h
    h.close()


@pytest.fixture
def popup(history: PromptHistory, qtbot: Any) -> tuple[PromptPopup, QLineEdit, list[str]]:
    anchor = QLineEdit()
    qtbot.addWidget(anchor)
    anchor.show()
    p = PromptPopup(anchor)
    chosen: list[str] = []
    p.query_changed.connect(history.search)
    history.results.connect(lambda _q, entries: p.set_entries(entries))
    p.chosen.connect(chosen.append)
    p.forget_requested.connect(history.forget)
    p.star_requested.connect(history.star)
    p.unstar_requested.connect(history.unstar)
    return p, anchor, chosen


def test_type_to_filter_and_enter_inserts(popup: Any, qtbot: Any) -> None:
    p, anchor, chosen = popup
    p.show_under(anchor)
    qtbot.waitUntil(lambda: p.list.count() == 3)
    assert p.list.item(0).data(Qt.ItemDataRole.UserRole + 1) == "<b>URGENT</b> \u202eevil"  # newest first
    qtbot.keyClicks(p.filter, "harb")
    qtbot.waitUntil(lambda: p.list.count() == 1)
    qtbot.keyClick(p.filter, Qt.Key.Key_Return)
    assert chosen == ["a harbour in fog"] and not p.isVisible()


def test_untrusted_text_is_shown_as_text(popup: Any, qtbot: Any) -> None:
    p, anchor, _ = popup
    p.show_under(anchor)
    qtbot.waitUntil(lambda: p.list.count() == 3)
    row = p.list.item(0)
    assert "<b>URGENT</b>" in row.text()  # the characters, not bold text
    assert "\u2068" in row.text() and "\u2069" in row.text()  # the override is isolated
    assert "&lt;b&gt;URGENT" in row.toolTip()


def test_shift_delete_forgets_and_ctrl_s_stars_with_a_name(popup: Any, history: PromptHistory, qtbot: Any) -> None:
    p, anchor, _ = popup
    p.show_under(anchor)
    qtbot.waitUntil(lambda: p.list.count() == 3)
    qtbot.keyClick(p.filter, Qt.Key.Key_Down)  # the second row: "a harbour in fog"
    qtbot.keyClick(p.filter, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: p.list.count() == 2 and history._library.count() == 2)
    assert "a harbour in fog" not in [e.text for e in history._library.search()]
    p.list.setCurrentRow(1)  # "a lighthouse at dusk"
    qtbot.keyClick(p.filter, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(p.filter, "Hero")
    qtbot.keyClick(p.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.list.count() == 2 and p.list.item(0).text().startswith("★"))
    starred = history._library.search(starred_only=True)
    assert [(e.text, e.name) for e in starred] == [("a lighthouse at dusk", "Hero")]
    assert p.filter.text() == ""  # back to searching


def test_stale_answers_are_dropped(history: PromptHistory, qtbot: Any) -> None:
    import threading

    seen: list[str] = []
    threads: set[str] = set()
    history.results.connect(lambda q, _rows: (seen.append(q), threads.add(threading.current_thread().name)))
    gate = threading.Event()
    history._run(gate.wait)  # the worker is busy (a slow disk) while the designer types on
    history.search("a")
    history.search("a l")
    history.search("a li")
    gate.set()
    qtbot.waitUntil(lambda: "a li" in seen)
    # One worker answers in order: by the time the last answer is here, the others were dropped.
    assert seen == ["a li"]
    assert threads == {threading.main_thread().name}  # answers arrive on the GUI thread



def test_an_answer_arriving_after_the_window_is_gone_touches_nothing(
    history: PromptHistory, qtbot: Any, tmp_path: Path
) -> None:
    """The history outlives the window (the controller owns it): an answer or a message that comes
    back from its worker after the window and its pop-up were deleted must not call into them."""
    import threading

    import shiboken6
    from PySide6.QtWidgets import QMainWindow

    from ideogram_studio.ui.shell.prompt_library import PromptLibraryLink

    window = QMainWindow()
    anchor = QLineEdit(window)
    window.setCentralWidget(anchor)
    window.show()
    popup = PromptLibraryLink(window, history).popup()
    popup.show_under(anchor)
    qtbot.waitUntil(lambda: popup.list.count() == 3)
    popup.hide()
    answered: list[str] = []
    history.results.connect(lambda query, _rows: answered.append(query))
    history.message.connect(answered.append)
    gate = threading.Event()
    history._run(gate.wait)  # the worker is busy: its answers come after the window is gone
    history.search("harbour")
    history.export_to(tmp_path / "starred.json")
    shiboken6.delete(window)  # the window closes, with its pop-up and the link
    assert not shiboken6.isValid(popup)
    gate.set()
    # Both answers arrive (and nothing raises calling into the deleted pop-up or status bar).
    qtbot.waitUntil(lambda: len(answered) == 2, timeout=5000)
    assert answered[0] == "harbour" and "exported" in answered[1]


def test_a_colleagues_starred_prompts_come_in_from_the_pop_up_and_go_out_again(
    history: PromptHistory, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QMainWindow

    from ideogram_studio.gallery.prompt_library import PromptLibrary
    from ideogram_studio.ui.shell.prompt_library import PromptLibraryLink

    (tmp_path / "colleague").mkdir()
    colleague = PromptLibrary(tmp_path / "colleague")
    colleague.record("a risograph poster of a harbour", mode="generate")
    colleague.star(colleague.search()[0].id, "Harbour riso")
    shared = tmp_path / "shared.json"
    colleague.write_export(shared)
    colleague.close()
    damaged = tmp_path / "damaged.json"
    damaged.write_text("not json", "utf-8")

    window = QMainWindow()
    qtbot.addWidget(window)
    anchor = QLineEdit(window)
    window.setCentralWidget(anchor)
    window.show()
    popup = PromptLibraryLink(window, history).popup()
    popup.show_under(anchor)
    qtbot.waitUntil(lambda: popup.list.count() == 3)

    def button(text: str) -> QPushButton:
        return next(b for b in popup.findChildren(QPushButton) if b.text() == text)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(damaged), ""))
    qtbot.mouseClick(button("Import…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not a prompt list" in window.statusBar().currentMessage(), timeout=5000)
    assert history._library.count() == 3  # refused whole: nothing half-imported

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(shared), ""))
    qtbot.mouseClick(button("Import…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: popup.list.count() == 4 and popup.list.item(0).text().startswith("★"), timeout=5000)
    assert "Harbour riso" in popup.list.item(0).text()
    assert window.statusBar().currentMessage() == "1 prompt imported from shared.json."

    out = tmp_path / "mine.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(button("Export starred…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "exported to mine.json" in window.statusBar().currentMessage(), timeout=5000)
    (tmp_path / "again").mkdir()
    again = PromptLibrary(tmp_path / "again")
    assert again.import_file(out) == 1 and again.search(starred_only=True)[0].name == "Harbour riso"
    again.close()
