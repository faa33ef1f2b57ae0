"""The CLI's v2 side: `--model` for every operation, `--json-prompt FILE`, `--quote`, the `jobs`
command (list, resume, download pending async jobs from the journal) and `magic-prompt`.

v2 requests run through the job queue on the library (`--library`, default the studio's), so an
async job is journalled before it is polled: stopped with Ctrl+C or a crash, `jobs resume` picks
it up and never sends it again. The results are also copied to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .api import structured_prompt as sp
from .api.client import IdeogramClient
from .api.errors import ImageFileError, RequestValidationError
from .api.images import ImageFile
from .api.registry import V1_MODEL, FieldKind, OperationSpec, models_for, spec_for
from .api.requests import BY_OPERATION, Operation
from .api.v2_pricing import estimate
from .api.v2_requests import JSON_PROMPT, FontFile, Upload, V2Request
from .gallery import Gallery
from .gallery.gallery import default_data_dir
from .jobs import JobQueue, JobState
from .jobs.gallery_store import GalleryJobStore
from .jobs.model import Job

ClientFactory = Callable[[argparse.Namespace], IdeogramClient]
#: Journal states of jobs `jobs list` shows by default (not yet finished, or resumable).
OPEN_STATES = ["queued", "sending", "polling", "downloading", "interrupted", "lost"]


def model_choices(op: Operation) -> list[str]:
    return ([V1_MODEL] if op in BY_OPERATION else []) + models_for(op)


def default_model(op: Operation) -> str:
    return model_choices(op)[0]


def preparse_models(argv: list[str]) -> dict[str, str]:
    """The command and its --model, read before the full parser is built (options depend on them)."""
    if not argv or argv[0].startswith("-"):
        return {}
    command, models = argv[0], {}
    for i, arg in enumerate(argv[1:], 1):
        if arg == "--model" and i + 1 < len(argv):
            models[command] = argv[i + 1]
        elif arg.startswith("--model="):
            models[command] = arg.split("=", 1)[1]
    return models


def add_v2_options(cmd: argparse.ArgumentParser, spec: OperationSpec) -> None:
    for name, fs in spec.fields.items():
        flag = "--" + name.replace("_", "-")
        if fs.kind is FieldKind.FILE:
            many = fs.max_count > 1
            cmd.add_argument(flag, dest=name, type=Path, metavar="PATH", action="append" if many else "store",
                             help=f"up to {fs.max_count} files (repeat)" if many else None)  # fmt: skip
        elif fs.kind is FieldKind.BOOLEAN:
            cmd.add_argument(flag, dest=name, choices=["true", "false"])
        elif fs.kind is FieldKind.CHOICE:
            cmd.add_argument(flag, dest=name, choices=list(fs.choices), metavar=name.upper())
        elif fs.kind is FieldKind.CODES:
            cmd.add_argument(flag, dest=name, action="append", metavar="CODE", help="repeat for several")
        else:
            cmd.add_argument(flag, dest=name, metavar=name.upper())
    if spec.structured_prompt:
        cmd.add_argument("--json-prompt", dest=JSON_PROMPT, type=Path, metavar="FILE",
                         help="a structured (JSON) prompt instead of --prompt (never both)")  # fmt: skip


def add_common_v2(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--quote", action="store_true", help="ask Ideogram the exact price (dry run); send nothing")
    cmd.add_argument("--library", type=Path, default=None, help="the studio library holding the job journal")


def request_from_args(op: Operation, model: str, args: argparse.Namespace) -> V2Request:
    spec = spec_for(op, model)
    values: dict[str, Any] = {}
    uploads: dict[str, list[Upload]] = {}
    for name, fs in spec.fields.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if fs.kind is FieldKind.FILE:
            paths = value if isinstance(value, list) else [value]
            try:
                if name == "font_candidate_files":
                    uploads[name] = [FontFile.from_path(p) for p in paths]
                else:
                    uploads[name] = [ImageFile.from_path(p) for p in paths]
            except ImageFileError as exc:
                raise ImageFileError(exc.message, field=name) from None
        else:
            values[name] = value
    path = getattr(args, JSON_PROMPT, None)
    if path is not None:
        try:
            values[JSON_PROMPT] = sp.parse(Path(path).read_text("utf-8"))
        except OSError as exc:
            raise RequestValidationError(JSON_PROMPT, f"cannot read {path} ({exc.strerror})") from None
    return V2Request.build(op, model, values, uploads)


async def wait_finished(queue: JobQueue, jobs: list[Job]) -> None:
    done = asyncio.Event()

    def check(_: object = None) -> None:
        if all(j.state.finished for j in jobs):
            done.set()

    unsubscribe = queue.subscribe(check)
    try:
        check()
        await done.wait()
    finally:
        unsubscribe()


def job_summary(job: Job) -> dict[str, Any]:
    record = job.record()
    keys = ("id", "operation", "model", "state", "generation_id", "error", "failure_reason", "actual_cost",
            "cost_source", "billing_identifier", "quote")  # fmt: skip
    return {k: record.get(k) for k in keys if record.get(k) is not None}


def export(gallery: Gallery, job: Job, out: Path) -> list[dict[str, str]]:
    """Copy the job's results to `out` the gallery's way (no personal metadata, the studio's kept)."""
    if not job.result_hashes:
        return []
    report = gallery.export(list(job.result_hashes), out)
    return [{"path": str(path), "hash": digest} for digest, path in report.written]


def _library(args: argparse.Namespace) -> Path:
    return Path(args.library) if args.library else default_data_dir()


async def run_v2(args: argparse.Namespace, op: Operation, make_client: ClientFactory) -> dict[str, Any]:
    request = request_from_args(op, args.model, args)
    request.validate()
    for advice in request.advice():
        print(f"warning: {advice}", file=sys.stderr)
    summary: dict[str, Any] = {"operation": op.value, "model": args.model, "request": request.fields_json()}
    if args.dry_run:
        local = estimate(request)
        summary.update(sent=False, estimated_cost_usd=None if local is None else str(local), price="local table")
        return summary
    async with make_client(args) as client:
        if args.quote:
            quote = await client.v2.quote(request)
            summary.update(sent=False, quote={"usd": str(quote.usd), "qualifier": quote.qualifier,
                           "upper_bound_usd": None if quote.upper_bound_usd is None else str(quote.upper_bound_usd),
                           "billing_identifier": quote.billing_identifier, "text": quote.describe()})  # fmt: skip
            return summary
        gallery = await asyncio.to_thread(Gallery.open, _library(args), holder="cli")
        queue = JobQueue(client, GalleryJobStore(gallery))
        try:
            job = await queue.submit(request)
            summary["sent"] = True
            await wait_finished(queue, [job])
            summary["job"] = job_summary(job)
            summary["images"] = await asyncio.to_thread(export, gallery, job, args.out)
            if job.response is not None and not job.result_hashes:
                summary["response"] = job.response
        finally:
            await queue.aclose()
            gallery.close()
    for notice in client.deprecations.notices:
        print(f"note: {notice.message}", file=sys.stderr)
    return summary


# ---- jobs -----------------------------------------------------------------------------------------


def add_jobs_command(sub: Any, add_connection: Callable[[argparse.ArgumentParser], None]) -> None:
    jobs = sub.add_parser("jobs", help="list, resume and download pending async jobs from the journal")
    actions = jobs.add_subparsers(dest="jobs_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="jobs not finished (or lost), from the journal")
    listing.add_argument("--all", action="store_true", help="every journalled job")
    resume = actions.add_parser("resume", help="poll every journalled generation to its end (never re-sent)")
    download = actions.add_parser("download", help="fetch what a billed job could not keep (no new charge)")
    download.add_argument("job_id")
    for action in (listing, resume, download):
        action.add_argument("--library", type=Path, default=None, help="the studio library (default: the studio's)")
        action.add_argument("--out", type=Path, default=Path("."), help="folder for the images (default: here)")
        add_connection(action)


async def run_jobs(args: argparse.Namespace, make_client: ClientFactory) -> dict[str, Any]:
    gallery = await asyncio.to_thread(Gallery.open, _library(args), holder="cli")
    try:
        store = GalleryJobStore(gallery)
        if args.jobs_action == "list":
            records = await asyncio.to_thread(store.load_jobs, None if args.all else OPEN_STATES, 500)
            keys = ("id", "operation", "model", "state", "generation_id", "error", "created_at")
            return {"jobs": [{k: r.get(k) for k in keys if r.get(k) is not None} for r in records]}
        async with make_client(args) as client:
            queue = JobQueue(client, store)
            try:
                await queue.recover()  # resumes every job journalled as polling
                if args.jobs_action == "resume":
                    chosen = [j for j in queue.jobs.values() if j.state is JobState.POLLING]
                else:
                    chosen = [await queue.retry_download(args.job_id)]
                await wait_finished(queue, chosen)
                return {"jobs": [job_summary(j) | {"images": export(gallery, j, args.out)} for j in chosen]}
            finally:
                await queue.aclose()
    finally:
        gallery.close()


# ---- magic prompt -----------------------------------------------------------------------------------


def add_magic_prompt_command(sub: Any, add_connection: Callable[[argparse.ArgumentParser], None]) -> None:
    cmd = sub.add_parser("magic-prompt", help="turn a sentence into an Ideogram 4.x structured prompt (JSON)")
    cmd.add_argument("text")
    cmd.add_argument("--aspect-ratio")
    cmd.add_argument("--save", type=Path, help="also write the JSON here (for --json-prompt)")
    add_connection(cmd)


async def run_magic_prompt(args: argparse.Namespace, make_client: ClientFactory) -> dict[str, Any]:
    async with make_client(args) as client:
        prompt = await client.v2.magic_prompt(args.text, args.aspect_ratio)
    if args.save:
        args.save.write_text(json.dumps(prompt, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return {"json_prompt": prompt, "warnings": [str(a) for a in sp.advice(prompt)]}
