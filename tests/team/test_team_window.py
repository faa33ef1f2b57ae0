"""The team library in the real studio window, against the real servers: the Libraries section,
Publish from the local page, the Team page's grid updated live, Pull into the local library.
Credentials go through a real Secret Service (the keyring), as a designer's would."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from ideogram_studio.gallery import Gallery
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.settings import config_dir
from ideogram_studio.team import CredentialVault, Outbox, Publisher
from ideogram_studio.team.config import TEAM_FILE
from ideogram_studio.ui.library.page import LibraryPage
from tests.helpers import SecretService
from tests.ui.helpers import Studio, close_studio, open_studio, qloop  # noqa: F401  (qloop: the fixture)

from .helpers import TeamEnv, add_results


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path, team_env: TeamEnv,  # noqa: F811
           secret_service: SecretService) -> Iterator[Studio]:
    team_env.config("alice").save(config_dir() / TEAM_FILE)
    CredentialVault().save(team_env.credentials("alice"))  # into the real (test) keyring
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def _click_library(qtbot: Any, page: LibraryPage, key: str) -> None:
    item = page.filters.find_item("library", key)
    assert item is not None and not item.isHidden()
    rect = page.filters.visualItemRect(item)
    qtbot.mouseClick(page.filters.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _select_all(page: LibraryPage) -> None:
    model = page.grid.model()
    selection = page.grid.selectionModel()
    for row in range(model.rowCount()):
        selection.select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)


def test_publish_browse_live_and_pull_in_the_window(qtbot: Any, studio: Studio, team_env: TeamEnv,
                                                    gallery_b: Gallery, tmp_path: Path, artifacts_dir: Path) -> None:
    link = studio.window.library
    local = link.page
    mine = add_results(studio.services.gallery, 3, tags=("campaign",))
    link.show_library(True)
    local.refresh()
    qtbot.waitUntil(lambda: local.model.rowCount() == 3)

    # Publish from the local page (the context menu's action on the selection).
    _select_all(local)
    assert link.team.publish_action.isEnabled()
    link.team.publish_action.trigger()
    bob = team_env.library("bob")
    qtbot.waitUntil(lambda: bob.count("") == 3, timeout=30000)

    # The Libraries section opens the Team page: the same grid, over the team.
    _click_library(qtbot, local, "team")
    qtbot.waitUntil(lambda: link.team.page is not None and link.stack.currentWidget() is link.team.page,
                    timeout=30000)
    team_page = link.team.page
    assert team_page is not None and link.is_showing_library()
    assert team_page.filters.section("collections").isHidden()
    assert not team_page.library_actions.favourite.isVisible()  # favourites stay personal
    qtbot.waitUntil(lambda: team_page.model.rowCount() == 3, timeout=30000)
    team_page.set_query_text("tag:campaign number 1")
    qtbot.waitUntil(lambda: team_page.model.rowCount() == 1, timeout=30000)
    team_page.set_query_text("")
    qtbot.waitUntil(lambda: team_page.model.rowCount() == 3, timeout=30000)

    # Bob publishes from his studio: Alice's team grid grows by itself.
    theirs = add_results(gallery_b, 2, seed=9)
    Publisher(gallery_b, bob, Outbox(tmp_path / "bob-outbox.sqlite")).publish(theirs)
    qtbot.waitUntil(lambda: team_page.model.rowCount() == 5, timeout=30000)
    team_page.grab().save(str(artifacts_dir / "team-page.png"))
    studio.window.grab().save(str(artifacts_dir / "team-window.png"))

    # Pull Bob's images into Alice's own library.
    team_page.grid.clearSelection()
    model = team_page.model
    selection = team_page.grid.selectionModel()
    for row in range(model.rowCount()):
        image = model.image(row)
        if image is not None and image.hash in theirs:
            selection.select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    assert sorted(team_page.selected_hashes()) == sorted(theirs)
    link.team.pull_action.trigger()
    qtbot.waitUntil(lambda: all(studio.services.gallery.get(h) is not None for h in theirs), timeout=30000)
    assert studio.services.gallery.read_bytes(theirs[0]) == gallery_b.read_bytes(theirs[0])
    assert all(studio.services.gallery.get(h) is not None for h in mine)

    # Back to this computer's library.
    _click_library(qtbot, team_page, "local")
    qtbot.waitUntil(lambda: link.stack.currentWidget() is local)
    qtbot.waitUntil(lambda: local.model.rowCount() == 5, timeout=30000)


def test_the_side_bar_says_when_the_team_is_out_of_reach_and_when_it_is_back(
        qtbot: Any, studio: Studio, team_env: TeamEnv) -> None:
    link = studio.window.library
    link.show_library(True)
    _click_library(qtbot, link.page, "team")
    qtbot.waitUntil(lambda: link.team.page is not None and link.team.service is not None
                    and link.team.service.online, timeout=30000)
    team_page = link.team.page
    assert team_page is not None

    def note() -> str:
        item = link.page.filters.find_item("library", "team")
        return item.text(1) if item is not None else "?"

    with team_env.servers.pg.superuser() as conn:  # alice's account is shut out, her connections cut
        conn.execute("ALTER ROLE alice NOLOGIN")
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'")
    try:
        qtbot.waitUntil(lambda: note() == "offline", timeout=30000)
        qtbot.waitUntil(lambda: "cached" in team_page.status.text(), timeout=30000)
    finally:
        with team_env.servers.pg.superuser() as conn:
            conn.execute("ALTER ROLE alice LOGIN")
    qtbot.waitUntil(lambda: note() == "", timeout=60000)  # the listener is back (it retries by itself)


def test_images_queued_before_a_quit_are_published_when_the_studio_starts_again(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path, team_env: TeamEnv,  # noqa: F811
        secret_service: SecretService) -> None:
    from ideogram_studio.team.library import team_key
    from ideogram_studio.team.service import OUTBOX_NAME

    config = team_env.config("alice")
    config.save(config_dir() / TEAM_FILE)
    CredentialVault().save(team_env.credentials("alice"))
    with Gallery.open(tmp_path / "library") as gallery:  # the studio's own library, last session
        queued = add_results(gallery, 4)
        outbox = Outbox(tmp_path / "library" / "team" / team_key(config) / OUTBOX_NAME)
        outbox.add(queued)  # queued, then the studio quit before the team was reached
        outbox.close()

    studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        bob = team_env.library("bob")
        qtbot.waitUntil(lambda: bob.count("") == 4, timeout=60000)  # nobody opened the Team page
        assert {r.hash for r in bob.page("").rows} == set(queued)
    finally:
        close_studio(qtbot, studio)
