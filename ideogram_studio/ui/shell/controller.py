"""The studio's view-model: turns widget signals into queue commands and queue events into things
the widgets show. No widgets are created here and no rules are decided here: requests come
validated from the panels, prices from api.pricing, storage from the gallery.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from ...api import structured_prompt as sp
from ...api.enums import StylePreset
from ...api.errors import ApiError
from ...api.images import ImageFile
from ...api.pricing import format_cost
from ...api.requests import ApiRequest, Operation
from ...api.structured_layout import in_words
from ...api.v2_requests import V2Request
from ...api.v2_responses import PriceQuote
from ...batch.plan import TAG_BATCH, TAG_ROW, BatchItem, BatchPlan, batch_name, batch_tag
from ...batch.pricing import local_price, quote_plan
from ...gallery import GalleryError, ImageQuery
from ...jobs import Job, JobEvent, JobEventKind
from ...jobs.batches import current_jobs
from ...jobs.reuse import again_request
from ...services import Services
from ..common.colour import to_srgb_image
from ..common.image_decode import decode_file
from ..common.prompt_history import PromptHistory
from ..common.task_runner import TaskRunner
from ..common.untrusted import isolate, one_line
from ..pickers.preset_previews import preview_request
from .job_model import JobListModel, preset_name

log = logging.getLogger(__name__)
PREVIEW_TAG = "preset-preview"
#: Results shown against their source in the viewer (before/after): every operation made from a
#: source image (the modes remix, reframe, replace background, edit, face swap; and upscale, remove
#: background, Precise Edit, remove object).
COMPARE_OPERATIONS = frozenset({
    "edit", "face-swap", "precise-edit", "remove-object",
    "remix", "reframe", "replace-background", "upscale", "remove-background",
})


class StudioController(QObject):
    #: A stored result to show: (image, caption, content hash).
    image_ready = Signal(QImage, str, str)
    #: A job's result was stored: (content hash, caption, batch key, images expected in the batch;
    #: 0 when unknown, its place in the batch: (batch row, place in the service's answer)). The window
    #: decides whether to show it (it never replaces what the designer is looking at: see batch_view.py).
    #: The batch key is the job's batch run, else the job.
    result_arrived = Signal(str, str, str, int, object)
    #: A short message for the status bar.
    message = Signal(str)
    #: A message that may be long and has a technical side: (text, detail for "Details…").
    notice = Signal(str, str)
    #: "Today ≈ $0.42 · this session ≈ $0.12"
    spend_changed = Signal(str)
    #: True while the studio talks to the built-in sandbox (no key).
    sandbox_changed = Signal(bool)
    #: A preset preview is available: (preset, image).
    preset_preview_ready = Signal(object, QImage)
    #: A comparison image arrived: (preset, image) or failed: (preset, reason).
    compare_result = Signal(object, QImage)
    compare_failed = Signal(object, str)
    #: A describe job finished: (job, the descriptions).
    described = Signal(object, list)
    #: A describe-as-a-layout job finished: (job, the structured prompt).
    described_layout = Signal(object, dict)
    #: A job's request should fill its panel ("reuse settings").
    reuse_request = Signal(object)
    #: The same, with the job's tags (e.g. {"operation_label": "face-swap"}): (request, tags).
    reuse_job = Signal(object, object)
    #: An edit's result, to show against its source: (before, after, caption, content hash of after).
    #: Emitted just before image_ready for the same image.
    compare_ready = Signal(QImage, QImage, str, str)
    #: A form's price: (the V2Request asked about, its PriceQuote — the service's, else the local
    #: table's, labelled by its source — or None when neither can price it).
    quote_ready = Signal(object, object)
    #: A preset comparison's total before it starts: (prompt, presets, the total in words).
    compare_quoted = Signal(str, list, str)
    #: A batch's total before it starts: (the BatchPlan asked about, its PlanQuote).
    batch_quoted = Signal(object, object)
    #: (the asker's id, magic prompt v4's structured prompt for its sentence or None when it could
    #: not be made): every panel hears it, only the asker takes it.
    prompt_expanded = Signal(str, object)

    def __init__(self, services: Services, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self._closed = False
        self.jobs_model = JobListModel(services.queue, self)
        self.jobs_model.result_stored.connect(self._on_result_stored)
        self.jobs_model.job_failed.connect(self._on_job_failed)
        self._unsubscribe = services.queue.subscribe(self._on_event)
        self._prompt_history: PromptHistory | None = None
        self._spent_today: Decimal | None = None

    @property
    def prompt_history(self) -> PromptHistory:
        """Every prompt sent, kept beside the library (opened on first use, off the start-up path)."""
        if self._prompt_history is None:
            self._prompt_history = PromptHistory.open(self.services.gallery.data_dir, self)
        return self._prompt_history

    # ---- commands from widgets ---------------------------------------------------------------
    def submit(
        self, request: ApiRequest | V2Request, to_front: bool = False, tags: dict[str, Any] | None = None
    ) -> None:
        self.runner.run(self._submit(request, to_front, tags), "submit")

    async def _submit(self, request: ApiRequest | V2Request, to_front: bool, tags: dict[str, Any] | None) -> Job:
        job = await self.services.queue.submit(request, front=to_front, tags=tags)
        prompt = _prompt_of(request)
        if isinstance(prompt, str) and prompt.strip() and not (tags or {}).get("kind"):  # not previews
            mode = str((tags or {}).get("operation_label") or request.operation.value)
            self.prompt_history.record(prompt, mode, str(getattr(request, "model", None) or "ideogram-3"))
        self.message.emit(f"Queued: {request.image_count()} image(s), {format_cost(job.estimated_cost)}")
        return job

    def make_again(self, image_hash: str, vary: bool = False) -> None:
        """One click from a result: "Reproduce" (the same image again: the caption used, the same
        seed) or "Vary" (the same caption, a new seed)."""
        self.runner.run(self._make_again(image_hash, vary), "vary" if vary else "reproduce")

    async def _make_again(self, image_hash: str, vary: bool) -> None:
        try:
            request, tags = await asyncio.to_thread(again_request, self.services.gallery, image_hash, vary=vary)
        except (GalleryError, ApiError, ValueError) as exc:
            self.message.emit(f"This image cannot be made again: {exc}")
            return
        await self._submit(request, False, tags)

    def remove_background(self, image_hash: str) -> None:
        """One click: the stored image's subject cut out onto transparency (v2 remove-background).
        The source is the library's bytes, so the result's lineage links back to it."""
        self.runner.run(self._remove_background(image_hash), "remove-background")

    async def _remove_background(self, image_hash: str) -> None:
        image = await self.load_image_file(image_hash)
        request = V2Request.build(Operation.REMOVE_BACKGROUND, "ideogram-1", {}, {"image": (image,)})
        await self._submit(request, False, {"label": "remove background"})

    def expand_prompt(self, text: str, asker: str = "", aspect_ratio: str | None = None) -> None:
        """A sentence → Ideogram 4's structured prompt (magic-prompt-v4; the sandbox answers too) for a
        frame of `aspect_ratio` ("16x9"), answered to ``asker`` alone. A newer ask replaces the same
        asker's, never another panel's (the task's name after '#' is not in a failure's title)."""
        self.runner.run(self._expand_prompt(text, asker, aspect_ratio), f"expand-prompt#{asker}", replace=True)

    async def _expand_prompt(self, text: str, asker: str, aspect_ratio: str | None) -> None:
        try:
            prompt = await self.services.queue.client.v2.magic_prompt(text, aspect_ratio)
        except ApiError as exc:
            self.message.emit(f"The prompt could not be expanded: {exc.message}")
            prompt = None
        self.prompt_expanded.emit(asker, prompt)

    def quote(self, request: V2Request) -> None:
        """Ask the service what this request would cost (dry run; cached by body). A newer ask
        replaces one still on its way: a settled form has one price."""
        self.runner.run(self._quote(request), "quote", replace=True)

    async def _quote(self, request: V2Request) -> None:
        try:
            quote = await self.services.queue.client.v2.quote_or_estimate(request)
        except ApiError as exc:  # a form the service refuses to price: its label says so, not a dialog
            log.info("No quote: %s", exc)
            quote = None
        self.quote_ready.emit(request, quote)

    def cancel(self, job_id: str) -> None:
        self.services.queue.cancel(job_id)

    def cancel_all(self) -> int:
        """Cancel every job not finished yet (a batch gone wrong); returns how many."""
        live = [j.id for j in self.services.queue.jobs.values() if not j.state.finished]
        for job_id in live:
            self.services.queue.cancel(job_id)
        if live:
            self.message.emit(f"Cancelled {len(live)} job(s).")
        return len(live)

    def clear_finished(self) -> None:
        """Take finished jobs off the jobs list (the journal keeps them)."""
        self.runner.run(self._clear_finished(), "clear-finished")

    async def _clear_finished(self) -> None:
        cleared = await self.services.queue.clear_finished()
        if cleared:
            self.message.emit(f"Cleared {len(cleared)} finished job(s); their images stay in the library.")

    # ---- batches -----------------------------------------------------------------------------
    def pause_batch(self, name: str) -> None:
        self.runner.run(self._pause_batch(name), "pause-batch")

    async def _pause_batch(self, name: str) -> None:
        paused = await self.services.queue.pause_batch(name)
        running = sum(j.state.active for j in self.services.queue.batch_jobs(name))
        text = f"Batch “{name}” paused: {len(paused)} request(s) held back, kept paused if you quit."
        if running:
            text += f" {running} already sent will finish."
        self.message.emit(text)

    def resume_batch(self, name: str) -> None:
        self.runner.run(self._resume_batch(name), "resume-batch")

    async def _resume_batch(self, name: str) -> None:
        resumed = await self.services.queue.resume_batch(name)
        self.message.emit(f"Batch “{name}” resumed: {len(resumed)} request(s) back in line.")

    def cancel_batch(self, name: str) -> int:
        """Cancel what is left of a batch (waiting and paused requests are never sent); how many."""
        queue = self.services.queue
        live = [j.id for j in current_jobs(queue.batch_jobs(name)) if not j.state.finished]
        for job_id in live:
            queue.cancel(job_id)
        if live:
            self.message.emit(f"Batch “{name}”: {len(live)} request{'s' * (len(live) != 1)} cancelled.")
        return len(live)

    def budget_left(self) -> Decimal | None:
        """What today's budget cap leaves, from the last spend figure (None without a cap)."""
        cap = self.services.queue.budget_cap
        if cap is None:
            return None
        return max(Decimal(0), cap - (self._spent_today or Decimal(0)))

    def quote_batch(self, plan: BatchPlan) -> None:
        """Price a batch from the service's quotes before it starts (one per price group); a newer
        plan replaces one still being priced. Answers with batch_quoted."""
        self.runner.run(self._quote_batch(plan), "batch-quote", replace=True)

    async def _quote_batch(self, plan: BatchPlan) -> None:
        self.batch_quoted.emit(plan, await quote_plan(plan, self._quote_or_none, local_price))

    def quote_compare(self, prompt: str, presets: list[StylePreset]) -> None:
        """Price a preset comparison (one preview request per preset) from the service's quotes
        before it is started; answers with compare_quoted(prompt, presets, text)."""
        items = tuple(BatchItem(preview_request(prompt, p), i + 1, 1) for i, p in enumerate(presets))
        plan = BatchPlan("compare", items)

        async def price() -> None:
            total = await quote_plan(plan, self._quote_or_none, local_price)
            self.compare_quoted.emit(prompt, list(presets), total.text())

        self.runner.run(price(), "compare-quote", replace=True)

    async def _quote_or_none(self, request: V2Request) -> PriceQuote | None:
        try:
            return await self.services.queue.client.v2.quote_or_estimate(request)
        except ApiError as exc:
            log.info("No quote: %s", exc)
            return None

    def submit_batch(self, plan: BatchPlan) -> None:
        self.runner.run(self._submit_batch(plan), "submit-batch")

    async def _submit_batch(self, plan: BatchPlan) -> None:
        items = [(item.request, item.tags(plan.name)) for item in plan.items]
        sent = 0
        try:
            sent = len(await self.services.queue.submit_many(items))
        finally:
            self.message.emit(f"Batch “{plan.name}”: {sent} of {plan.request_count} request(s) queued.")
        prompts = dict.fromkeys(getattr(i.request, "prompt", "") for i in plan.items)
        for prompt in prompts:
            if prompt:
                self.prompt_history.record(prompt, "generate", "ideogram-3")

    def retry(self, job_id: str) -> None:
        self.runner.run(self.services.queue.retry(job_id), "retry")

    def retry_download(self, job_id: str) -> None:
        """Fetch a billed job's results from the same links (no new request, no new charge)."""
        self.runner.run(self.services.queue.retry_download(job_id), "retry-download")

    def rerun(self, job_id: str) -> None:
        self.runner.run(self.services.queue.rerun(job_id), "rerun")

    def reuse(self, job_id: str) -> None:
        job = self.services.queue.jobs.get(job_id)
        if job is not None:
            self.reuse_job.emit(job.request, dict(job.tags))
            self.reuse_request.emit(job.request)

    def show_image(self, image_hash: str) -> None:
        self.runner.run(self._show(image_hash), "show-image", replace=True)

    def request_previews(self, prompt: str, presets: list[StylePreset]) -> None:
        # Qt signals hand list items back as plain str: rebuild the enum.
        for preset in map(StylePreset, presets):
            tags = {"label": f"Preview: {preset_name(preset.value)}", "kind": PREVIEW_TAG, "preset": preset.value}
            self.submit(preview_request(prompt, preset), tags=tags)

    def request_compare(self, prompt: str, presets: list[StylePreset]) -> None:
        # Named in words (it shows in the batch bar and as the results' library tag), unique to the second.
        batch = batch_name(dt.datetime.now().strftime("%Y-%m-%d %H.%M.%S"), f"compare {prompt}")
        for preset in map(StylePreset, presets):
            label = f"Compare: {preset_name(preset.value)}"
            tags = {"label": label, "kind": "compare", "batch": batch, "preset": preset.value}
            self.submit(preview_request(prompt, preset), tags=tags)

    def refresh_spend(self) -> None:
        self.runner.run(self._refresh_spend(), "spend", replace=True)

    async def load_recent(self, limit: int = 60) -> list[tuple[str, str]]:
        """Hashes and captions of the newest results, for the strip."""
        gallery = self.services.gallery
        page = await asyncio.to_thread(gallery.page, ImageQuery(), limit=limit)
        return [(row.hash, _caption(row.prompt, row.width, row.height, row.seed)) for row in page.rows]

    async def load_preset_previews(self) -> None:
        """Previews made earlier are reused: the newest per preset, from the gallery."""
        gallery = self.services.gallery
        ids = await asyncio.to_thread(gallery.ids, ImageQuery(tags=(PREVIEW_TAG,)))
        rows = await asyncio.to_thread(gallery.rows_for, ids[:500])
        seen: set[str] = set()
        for row in rows:
            if row.style_preset and row.style_preset not in seen:
                seen.add(row.style_preset)
                image = await self._load_qimage(row.hash, thumbnail=True)
                if image is not None:
                    self.preset_preview_ready.emit(StylePreset(row.style_preset), image)

    # ---- queue events ------------------------------------------------------------------------
    def _on_event(self, event: JobEvent) -> None:
        if event.kind is JobEventKind.CHANGED and event.job.state.finished:
            job = event.job
            log.info(
                "job %s %s: %s, %d result(s)", job.id[:8], job.operation.value, job.state.value, len(job.result_hashes)
            )
            self.refresh_spend()
            kind = event.job.tags.get("kind")
            if kind == "describe" and job.state.value == "done":
                layout = (job.response or {}).get("json_prompt")
                texts = [str(d.get("text", "")) for d in (job.response or {}).get("descriptions", [])]
                if isinstance(layout, dict):  # describe with Ideogram 4: a structured prompt
                    self.described_layout.emit(job, layout)
                else:
                    self.described.emit(job, [t for t in texts if t])
            if kind == "compare" and not event.job.result_hashes:
                self.compare_failed.emit(StylePreset(event.job.tags["preset"]), event.job.error or "No image")

    def _on_result_stored(self, job: Job, image_hash: str, index: int) -> None:
        if self._closed:  # quitting: the services are closing, nothing is shown any more
            return
        self.runner.run(self._on_result(job, image_hash, index), "show-result")

    async def _on_result(self, job: Job, image_hash: str, index: int) -> None:
        batch = job.tags.get(TAG_BATCH)
        if isinstance(batch, str) and batch:  # "this batch" is a library search away: tag:"batch …"
            await asyncio.to_thread(self.services.gallery.add_tags, [image_hash], [batch_tag(batch)])
        kind = job.tags.get("kind")
        if kind in (PREVIEW_TAG, "compare"):
            await asyncio.to_thread(self.services.gallery.add_tags, [image_hash], [PREVIEW_TAG])
            image = await self._load_qimage(image_hash)
            if image is None:
                return
            preset = StylePreset(job.tags["preset"])
            self.preset_preview_ready.emit(preset, image)
            if kind == "compare":
                self.compare_result.emit(preset, image)
            return
        row = await asyncio.to_thread(self.services.gallery.get, image_hash)
        caption = _caption(row.prompt, row.width, row.height, row.seed) if row else ""
        key = f"batch:{batch}" if isinstance(batch, str) and batch else f"job:{job.id}"
        expected = 0 if key.startswith("batch:") else job.request.image_count()
        row_in_batch = job.tags.get(TAG_ROW)
        place = (row_in_batch if isinstance(row_in_batch, int) else 0, index)
        self.result_arrived.emit(image_hash, caption, key, expected, place)

    def _on_job_failed(self, job: Job, reason: str) -> None:
        # Server words are untrusted: one line, bidi-isolated (the notice fits whole sentences).
        self.notice.emit(f"Job failed: {isolate(one_line(reason, 2000))}", job.error_detail or "")

    async def _show(self, image_hash: str) -> None:
        image = await self._load_qimage(image_hash)
        if image is None:
            return
        row = await asyncio.to_thread(self.services.gallery.get, image_hash)
        caption = _caption(row.prompt, row.width, row.height, row.seed) if row else ""
        if row is not None and row.operation in COMPARE_OPERATIONS:
            before = await self._source_of(image_hash)
            if before is not None:
                self.compare_ready.emit(before, image, caption, image_hash)
        self.image_ready.emit(image, caption, image_hash)

    async def _source_of(self, image_hash: str) -> QImage | None:
        """The source image an edit was made from (its lineage parent), decoded; None if unknown."""
        links = await asyncio.to_thread(self.services.gallery.parents, image_hash)
        parent = next((link.parent for link in links if link.role == "image"), None)
        if parent is None:
            return None
        try:
            path = await asyncio.to_thread(self.services.gallery.path_for, parent)
        except GalleryError:
            return None
        image = await asyncio.to_thread(decode_file, path)  # (the file itself: no copy of its bytes)
        return None if image.isNull() else image

    async def load_image_file(self, image_hash: str) -> ImageFile:
        """A stored image as an input file, byte for byte ("Send to…"): sent as a source, its content
        hash is the library image's, so the result's lineage links to it."""
        gallery = self.services.gallery
        data = await asyncio.to_thread(gallery.read_bytes, image_hash)
        row = await asyncio.to_thread(gallery.get, image_hash)
        ext = {"JPEG": "jpg"}.get(row.format, row.format.lower()) if row is not None else "png"
        # Named by date and size, as the designer knows it (never the hash).
        name = f"Result {row.created_at:%Y-%m-%d %H.%M} {row.width}x{row.height}" if row is not None else "Result"
        return await asyncio.to_thread(ImageFile.from_bytes, data, f"{name}.{ext}")

    async def _load_qimage(self, image_hash: str, *, thumbnail: bool = False) -> QImage | None:
        gallery = self.services.gallery
        if thumbnail:
            path = await gallery.thumbnail(image_hash, 256)
            image = await asyncio.to_thread(decode_file, path)
        else:
            path = await asyncio.to_thread(gallery.path_for, image_hash)
            image = await asyncio.to_thread(decode_file, path)
        if image.isNull():
            self.message.emit("A stored image could not be read.")
            return None
        return to_srgb_image(image)

    async def _refresh_spend(self) -> None:
        today: Decimal = await self.services.queue.spend_today()
        self._spent_today = today
        session: Decimal = await self.services.queue.spend_session()
        self.spend_changed.emit(f"Today ≈ ${today:.2f} · session ≈ ${session:.2f}")

    async def reconnect(self) -> None:
        await self.services.reconnect()
        self.sandbox_changed.emit(self.services.sandbox)

    async def use_key(self, key: str | None, source: str) -> None:
        """New jobs use `key` (None: the environment's key, else the sandbox)."""
        await self.services.use_key(key, source)
        self.sandbox_changed.emit(self.services.sandbox)

    def close(self) -> None:
        self._closed = True
        self._unsubscribe()
        self.jobs_model.detach()
        if self._prompt_history is not None:
            self._prompt_history.close()


def _prompt_of(request: ApiRequest | V2Request) -> str | None:
    """The prompt the prompt library keeps: the text prompt, or a 4.x structured prompt as its JSON."""
    if isinstance(request, V2Request):
        structured = request.json_prompt
        text = request.values.get("prompt")
        return sp.serialise(structured) if structured is not None else text if isinstance(text, str) else None
    prompt = getattr(request, "prompt", None)
    return prompt if isinstance(prompt, str) else None


def _caption(prompt: str | None, width: int, height: int, seed: int | None) -> str:
    parts = [f"{width}×{height}"]
    if seed is not None:
        parts.append(f"seed {seed}")
    if prompt:
        shown = in_words(prompt) or prompt  # (a 4.x structured prompt in words, not its JSON)
        parts.append(isolate(one_line(shown, 80)))  # a prompt may hold a bidi override: kept to itself
    return " · ".join(parts)
