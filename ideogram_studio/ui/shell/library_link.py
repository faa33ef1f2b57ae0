"""The library inside the window: a second central page beside the studio, and the wiring of
its requests (open, reuse, send to a mode, describe, upscale) to the controller and the modes.

The link knows the window only through ``LibraryHost``: the few things the library asks of the
studio around it. MainWindow implements it; this module never imports the window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import QStackedWidget, QWidget

from ...api.requests import Operation
from ...api.v2_requests import V2Request
from ...batch.plan import batch_tag
from ...gallery import GalleryError
from ...jobs import Job, latest_batch
from ...jobs.reuse import request_for_image
from ..common.dialogs import ask
from ..common.image_decode import decode_file
from ..library.actions import describe_request, image_file, upscale_request
from ..library.page import LibraryPage
from ..modes import registry
from .layers_menu import layer_command

#: Describe with Ideogram 4 as a layout: element boxes and the style's words, for Generate.
LAYOUT_DESCRIBE_OPTIONS = {"include_bbox": True, "include_style_descriptions": True}

if TYPE_CHECKING:
    from .controller import StudioController


class LibraryHost(Protocol):
    """What the library asks of the window it lives in."""

    def show_status(self, text: str, timeout_ms: int) -> None:
        """A short note in the status bar."""

    def step_aside_for_library(self, showing: bool) -> None:
        """The studio's side bars (modes, jobs) make room while the library shows, and come back."""

    def send_image_to(self, target: str, image_hash: str) -> None:
        """Put a stored image into a mode: a target of ui/modes/registry.py."""

    def reuse_request(self, request: object, tags: object = None) -> None:
        """Fill the mode a request belongs to with exactly its settings."""

    def use_in_generate(self, *, prompt: str | None = None, seed: int | None = None) -> None:
        """Put a prompt or a seed into Generate and show it."""

    def use_layout_in_generate(self, prompt: dict[str, Any], reference: QImage | None = None) -> None:
        """Put a structured prompt into Generate (on a model that takes one) and show it;
        `reference`: the image it describes, under the layout editor's boxes."""

    def show_settings(self) -> object:
        """Open the Settings dialog (e.g. to point at another library)."""


class LibraryLink(QObject):
    def __init__(
        self,
        host: LibraryHost,
        controller: StudioController,
        stack: QStackedWidget,
        studio: QWidget,
        toggle_action: QAction,
        page: LibraryPage | None = None,
    ) -> None:
        """`stack`: the window's centre, with the `studio` page; the library becomes a page beside it.
        `toggle_action`: the window's "Library" action (its button and menu entry exist before the
        library does); the link gives it its shortcut and meaning. `page`: the library page, if
        made already (the window makes it in steps: library_steps.py)."""
        super().__init__(stack)
        self.host = host
        self.controller = controller
        self.page = page or LibraryPage(controller.services.gallery, controller.runner, stack,
                                        send_to=registry.send_to_items(), use_as=registry.use_as_items())
        self.page.setObjectName("library-page")
        self._studio = studio
        self.stack = stack
        self.stack.addWidget(self.page)
        self.toggle_action = toggle_action
        self.toggle_action.setCheckable(True)
        self.toggle_action.setShortcut(QKeySequence("Ctrl+L"))
        self.toggle_action.setToolTip("Show the library of every image (Ctrl+L); again to go back to the studio")
        self.toggle_action.toggled.connect(self.show_library)
        self._connect()
        from .team_link import TeamLink  # (imports the team package only when the library is built)

        #: The team library beside this one (a second page), when Settings names one.
        self.team = TeamLink(self, stack)

    # ---- public ------------------------------------------------------------------------------
    def show_library(self, show: bool = True) -> None:
        if show == self.is_showing_library():
            return
        # The library wants the width: the modes and the jobs dock step aside while it shows.
        self.host.step_aside_for_library(show)
        self.stack.setCurrentWidget(self.page if show else self._studio)
        if self.toggle_action.isChecked() != show:
            self.toggle_action.setChecked(show)

    def is_showing_library(self) -> bool:
        return self.stack.currentWidget() is self.page or self.team.is_showing()

    def _on_result_stored(self, _job: object, image_hash: str, _index: int) -> None:
        self.page.insert_new(image_hash)

    # ---- wiring ------------------------------------------------------------------------------
    def _connect(self) -> None:
        page, c, host = self.page, self.controller, self.host
        # "This batch" in the side bar: the newest batch the studio's job list knows.
        page.session.latest_batch_tag = lambda: _latest_batch_tag(c.services.queue.jobs.values())
        c.jobs_model.result_stored.connect(self._on_result_stored)  # a method: dropped with the window
        page.open_requested.connect(self._open)
        page.reuse_requested.connect(self._reuse)
        page.use_field_requested.connect(self._use_field)
        page.send_to_requested.connect(self._send_to)
        page.use_as_requested.connect(self._send_to)
        page.describe_requested.connect(lambda h: c.runner.run(self._describe(h), "describe"))
        page.describe_layout_requested.connect(lambda h: c.runner.run(self._describe_layout(h), "describe"))
        page.upscale_requested.connect(lambda h, r, d: c.runner.run(self._upscale(h, r, d), "upscale"))
        page.remove_background_requested.connect(c.remove_background)
        page.layers_requested.connect(lambda h, kind: layer_command(c, host.show_status, h, kind, page))
        page.again_requested.connect(c.make_again)
        page.locate_library_requested.connect(host.show_settings)
        page.message.connect(lambda text: host.show_status(text, 8000))
        c.described.connect(self._on_described)
        c.described_layout.connect(self._on_described_layout)

    def _open(self, image_hash: str) -> None:
        self.controller.show_image(image_hash)
        self.show_library(False)

    def _send_to(self, target: str, image_hash: str) -> None:
        self.host.send_image_to(target, image_hash)
        self.show_library(False)

    def _reuse(self, image_hash: str) -> None:
        self.controller.runner.run(self._reuse_async(image_hash), "reuse-settings")

    async def _reuse_async(self, image_hash: str) -> None:
        gallery = self.controller.services.gallery
        request, tags = await asyncio.to_thread(request_for_image, gallery, image_hash)
        self.host.reuse_request(request, tags)
        self.show_library(False)

    def _use_field(self, name: str, value: Any) -> None:
        if name in ("prompt", "prompt_used"):
            self.host.use_in_generate(prompt=str(value))
        elif name == "seed":
            self.host.use_in_generate(seed=int(value))
        else:
            self.host.show_status(f"{name.replace('_', ' ').capitalize()}: {value}", 8000)
            return
        self.show_library(False)

    async def _describe(self, image_hash: str) -> None:
        request = await asyncio.to_thread(describe_request, self.controller.services.gallery, image_hash)
        self.controller.submit(request, tags={"kind": "describe", "label": "describe", "source": image_hash})

    async def _describe_layout(self, image_hash: str) -> None:
        image = await asyncio.to_thread(image_file, self.controller.services.gallery, image_hash)
        request = V2Request.build(Operation.DESCRIBE, "ideogram-4", LAYOUT_DESCRIBE_OPTIONS, {"image": (image,)})
        self.controller.submit(
            request, tags={"kind": "describe", "label": "describe as a layout", "source": image_hash}
        )

    async def _upscale(self, image_hash: str, resemblance: int, detail: int) -> None:
        gallery = self.controller.services.gallery
        request = await asyncio.to_thread(upscale_request, gallery, image_hash, resemblance, detail)
        self.controller.submit(request, tags={"label": f"upscale (resemblance {resemblance}, detail {detail})"})

    def _on_described(self, job: Job, texts: list[str]) -> None:
        if not texts:
            self.host.show_status("Ideogram returned no description for this image.", 8000)
            return
        self.controller.runner.run(self._offer_description(texts[0]), "describe-offer")

    async def _offer_description(self, text: str) -> None:
        # Offered, never forced: the Generate prompt may hold work the designer wants to keep.
        if await ask("Ideogram describes the image as", text, "Use as the Generate prompt", parent=self.page.window()):
            self.host.use_in_generate(prompt=text)
            self.show_library(False)

    def _on_described_layout(self, job: Job, prompt: dict[str, Any]) -> None:
        source = job.tags.get("source")
        self.controller.runner.run(self._offer_layout(prompt, source if isinstance(source, str) else None),
                                   "describe-offer")  # fmt: skip

    async def _offer_layout(self, prompt: dict[str, Any], source: str | None = None) -> None:
        summary = str(prompt.get("high_level_description") or "a layout without a description")
        elements = (prompt.get("compositional_deconstruction") or {}).get("elements")
        count = len(elements) if isinstance(elements, list) else 0
        text = f"{summary}\n\n{count} element{'' if count == 1 else 's'} placed in boxes."
        if await ask("Ideogram describes the image as a layout", text, "Use in Generate (Ideogram 4.5)",
                     parent=self.page.window()):  # fmt: skip
            reference = None
            if source is not None:  # the described image under the boxes (unreadable: a blank frame)
                try:
                    path = await asyncio.to_thread(self.controller.services.gallery.path_for, source)
                    reference = await asyncio.to_thread(decode_file, path)
                except (GalleryError, OSError):
                    reference = QImage()
            self.host.use_layout_in_generate(prompt, reference)
            self.show_library(False)

    def shutdown(self) -> None:
        self.page.shutdown()
        self.team.shutdown()


def _latest_batch_tag(jobs: Iterable[Job]) -> str | None:
    name = latest_batch(jobs)
    return None if name is None else batch_tag(name)
