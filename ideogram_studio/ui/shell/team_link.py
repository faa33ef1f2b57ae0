"""The team library in the window: a "Libraries" section in the library side bar (This computer,
Team), a second library page over the team (the same grid, search, side bar, detail and lineage,
through ideogram_studio/team/source.py), Publish on the local page and Pull on the team page.

Wiring only: the team's work runs in ideogram_studio/team (TeamService) on worker threads; its
callbacks arrive here as queued signals. Opening, reusing or sending a team image to a mode
pulls it into the local library first (by hash, with its inputs), then does what was asked.
Nothing here blocks the GUI thread: the keyring, the connection and every team call run in
workers; an unreachable team shows what this computer cached and says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import platformdirs
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStackedWidget

from ...settings import APP_DIR_NAME, config_dir
from ...team.config import TEAM_FILE, CredentialVault, TeamConfig
from ...team.errors import TeamError
from ..library.page import LibraryPage
from ..library.session import LibrarySession
from ..modes import registry
from .layers_menu import layer_command

if TYPE_CHECKING:  # the team's engines (psycopg, boto3) load only when a team library is opened
    from ...team.listener import TeamEvent
    from ...team.models import PublishReport
    from ...team.service import TeamService


class LibraryLinkLike(Protocol):
    """What the team asks of the library link that owns it (library_link.LibraryLink; not imported:
    the link imports this module)."""

    page: LibraryPage
    controller: Any
    host: Any

    def _open(self, image_hash: str) -> None: ...
    def _reuse(self, image_hash: str) -> None: ...
    def _send_to(self, target: str, image_hash: str) -> None: ...
    def _use_field(self, name: str, value: Any) -> None: ...
    def _describe(self, image_hash: str) -> Coroutine[Any, Any, None]: ...
    def _describe_layout(self, image_hash: str) -> Coroutine[Any, Any, None]: ...
    def _upscale(self, image_hash: str, resemblance: int, detail: int) -> Coroutine[Any, Any, None]: ...


LOCAL, TEAM = "local", "team"
#: Live updates that arrive together are shown together.
REFRESH_DELAY_MS = 150


class TeamLink(QObject):
    # Queued from the team's worker threads to the GUI thread.
    _event = Signal(object)
    _state = Signal(bool, str)
    _published = Signal(object)
    _offline = Signal(str)

    def __init__(self, link: LibraryLinkLike, stack: QStackedWidget, *, config_path: Path | None = None,
                 vault: CredentialVault | None = None, cache_root: Path | None = None) -> None:
        super().__init__(stack)
        self.link = link
        self.stack = stack
        self.config = TeamConfig.load(config_path or config_dir() / TEAM_FILE)
        self._vault = vault or CredentialVault()
        self._cache_root = cache_root or Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False))
        self.service: TeamService | None = None
        self.page: LibraryPage | None = None
        self._note = ""
        self._opening: asyncio.Task[None] | None = None
        self._building: asyncio.Future[None] | None = None
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(REFRESH_DELAY_MS)
        self._refresh.timeout.connect(self._refresh_team_page)
        self._event.connect(self._on_event)
        self._state.connect(self._on_state)
        self._published.connect(self._on_published)
        self._offline.connect(self._on_offline)
        self.publish_action = QAction("Publish to the team library", self)
        self.publish_action.setToolTip("Copy the selected images, with their request, inputs, tags and your "
                                       "rating, to the team library")
        self.publish_action.triggered.connect(self.publish_selection)
        if self.enabled:
            local = link.page
            local.filters.library_chosen.connect(self.show)
            local.library_actions.context_menu.addSeparator()
            local.library_actions.context_menu.addAction(self.publish_action)
            local.library_actions.library_menu.addSeparator()
            local.library_actions.library_menu.addAction(self.publish_action)
            self._show_libraries()
            # Connect in the background from the start: live updates, and what was queued before
            # the last quit (or while the team was out of reach) goes out now.
            QTimer.singleShot(0, self._start_in_background)

    def _start_in_background(self) -> None:
        if self.service is None:
            self.link.controller.runner.run(self._background_start(), "team-start")

    async def _background_start(self) -> None:
        try:
            service = await self._ensure_service()
        except TeamError as exc:
            self.link.host.show_status(f"Team library: {exc}", 8000)
            return
        if service.waiting():
            self.link.host.show_status(f"Team library: {service.waiting():,} image(s) waiting to be published.", 8000)

    @property
    def enabled(self) -> bool:
        return self.config.enabled and self.config.configured

    def is_showing(self) -> bool:
        return self.page is not None and self.stack.currentWidget() is self.page

    # ---- showing one library or the other ----------------------------------------------------------
    def show(self, which: str) -> None:
        if which == LOCAL:
            self.stack.setCurrentWidget(self.link.page)
        elif self.page is not None:
            self.stack.setCurrentWidget(self.page)
        elif self._opening is None or self._opening.done():
            self.link.page.session.message.emit("Opening the team library…")
            self._opening = self.link.controller.runner.run(self._open_team(), "team-open")

    async def _open_team(self) -> None:
        try:
            service = await self._ensure_service()
        except TeamError as exc:
            self.link.page.session.message.emit(str(exc))
            return
        from ...team.source import TeamLibrarySource

        source = TeamLibrarySource(service.library, on_offline=self._offline.emit)
        runner = self.link.controller.runner
        page = LibraryPage(None, runner, self.stack, send_to=registry.send_to_items(), use_as=registry.use_as_items(),
                           session=LibrarySession(source, runner))
        page.setObjectName("team-library-page")
        page.filters.section("collections").setHidden(True)  # the team source offers none (yet)
        self.page = page
        self.stack.addWidget(page)
        self._wire_team_page(page)
        self._show_libraries()
        self.stack.setCurrentWidget(page)

    async def _ensure_service(self) -> TeamService:
        if self._building is not None:  # the background start is under way: share it
            await asyncio.shield(self._building)
        if self.service is not None:
            return self.service
        self._building = asyncio.get_running_loop().create_future()
        try:
            return await self._build_service()
        finally:
            self._building.set_result(None)
            self._building = None

    async def _build_service(self) -> TeamService:
        gallery = self.link.controller.services.gallery

        def build() -> TeamService:
            from ...team.service import TeamService

            credentials = self._vault.load()  # the keyring: never on the GUI thread
            service = TeamService.from_settings(self.config, credentials, gallery, cache_root=self._cache_root,
                                                data_dir=Path(gallery.data_dir))
            with contextlib.suppress(TeamError):  # unreachable now: the page shows the cache meanwhile
                service.connect()
            return service

        self.service = await asyncio.to_thread(build)
        self.service.start(on_event=self._event.emit, on_state=self._state.emit, on_published=self._published.emit)
        return self.service

    def _wire_team_page(self, page: LibraryPage) -> None:
        link = self.link
        page.filters.library_chosen.connect(self.show)
        pull_action = QAction("Pull into my library", page)
        pull_action.setToolTip("Copy the selected images, with their inputs, into the library on this computer")
        pull_action.triggered.connect(self.pull_selection)
        page.library_actions.context_menu.insertAction(page.library_actions.context_menu.actions()[0], pull_action)
        page.library_actions.context_menu.insertSeparator(page.library_actions.context_menu.actions()[1])
        self.pull_action = pull_action
        # What works on local images works on team images once they are here.
        page.open_requested.connect(lambda h: self._pull_then(h, functools.partial(link._open, h)))
        page.reuse_requested.connect(lambda h: self._pull_then(h, functools.partial(link._reuse, h)))
        page.send_to_requested.connect(lambda t, h: self._pull_then(h, functools.partial(link._send_to, t, h)))
        page.use_as_requested.connect(lambda t, h: self._pull_then(h, functools.partial(link._send_to, t, h)))
        page.use_field_requested.connect(link._use_field)
        runner = link.controller.runner
        page.describe_requested.connect(
            lambda h: self._pull_then(h, lambda: runner.run(link._describe(h), "describe")))
        page.describe_layout_requested.connect(
            lambda h: self._pull_then(h, lambda: runner.run(link._describe_layout(h), "describe")))
        page.upscale_requested.connect(
            lambda h, r, d: self._pull_then(h, lambda: runner.run(link._upscale(h, r, d), "upscale")))
        page.remove_background_requested.connect(
            lambda h: self._pull_then(h, lambda: link.controller.remove_background(h)))
        page.layers_requested.connect(lambda h, kind: self._pull_then(
            h, lambda: layer_command(link.controller, link.host.show_status, h, kind, page)))
        page.again_requested.connect(lambda h, vary: self._pull_then(h, lambda: link.controller.make_again(h, vary)))
        page.detail_shown.connect(self._say_who_published)
        page.message.connect(lambda text: link.host.show_status(text, 8000))

    def _show_libraries(self) -> None:
        entries = [(LOCAL, "This computer", ""), (TEAM, "Team", self._note)]
        self.link.page.filters.set_libraries(entries, LOCAL)
        if self.page is not None:
            self.page.filters.set_libraries(entries, TEAM)

    # ---- publish and pull ----------------------------------------------------------------------------
    def publish_selection(self) -> None:
        hashes = self.link.page.selected_hashes()
        if hashes:
            self.link.controller.runner.run(self._publish(hashes), "team-publish")

    async def _publish(self, hashes: list[str]) -> None:
        say = self.link.page.session.message.emit
        try:
            service = await self._ensure_service()
        except TeamError as exc:
            say(f"Not published: {exc}")
            return
        say(f"Publishing {len(hashes):,} image(s) to the team library…")
        report = await asyncio.to_thread(service.publish, hashes)
        say(report.summary())

    def pull_selection(self) -> None:
        if self.page is not None and self.page.selected_hashes():
            self.link.controller.runner.run(self._pull(self.page.selected_hashes()), "team-pull")

    async def _pull(self, hashes: list[str], then: Callable[[], object] | None = None) -> bool:
        service = self.service
        if service is None or self.page is None:
            return False
        say = self.page.session.message.emit
        try:
            report = await asyncio.to_thread(service.pull, hashes)
        except TeamError as exc:
            say(f"Not copied: {exc}")
            return False
        for digest in report.pulled:
            self.link.page.insert_new(digest)
        say(report.summary())
        if then is not None and not report.failed:
            then()
        return not report.failed

    def _pull_then(self, image_hash: str, then: Callable[[], object]) -> None:
        self.link.controller.runner.run(self._pull([image_hash], then), "team-pull-then")

    # ---- what the team says (queued to this thread) ---------------------------------------------------
    def _on_event(self, event: TeamEvent) -> None:
        if self.page is not None:
            self._refresh.start()  # several events in a burst: one refresh

    def _refresh_team_page(self) -> None:
        if self.page is not None:
            self.page.refresh()

    def _on_state(self, online: bool, message: str) -> None:
        self._note = "" if online else "offline"
        self._show_libraries()
        if self.page is not None:
            if online:
                self._refresh.start()
            else:
                self.page.session.message.emit(f"{message} Showing what this computer has cached.")

    def _on_offline(self, message: str) -> None:
        self._on_state(not message, message)

    def _on_published(self, report: PublishReport) -> None:
        if report.published or report.error:
            self.link.host.show_status(f"Team library: {report.summary()}", 8000)

    def _say_who_published(self, image_hash: str) -> None:
        if self.page is not None and self.service is not None:
            self.link.controller.runner.run(self._who(image_hash), "team-who", replace=True)

    async def _who(self, image_hash: str) -> None:
        assert self.service is not None and self.page is not None
        try:
            row = await asyncio.to_thread(self.service.library.cache.get, image_hash)
            ratings = await asyncio.to_thread(self.service.library.ratings, image_hash)
        except TeamError:
            return
        if row is None or self.page is None:
            return
        when = row.published_at.astimezone().strftime("%Y-%m-%d %H:%M")
        text = f"Published by {row.published_by} on {when}"
        if ratings:
            mean = sum(r for _, r in ratings) / len(ratings)
            everyone = ", ".join(f"{person} {stars}★" for person, stars in ratings)
            text += f" · team rating {mean:.1f}★ ({everyone})"
        self.page.session.message.emit(text)

    def shutdown(self) -> None:
        if self.page is not None:
            self.page.shutdown()
        if self.service is not None:
            self.service.close()
