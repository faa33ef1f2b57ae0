"""Scripting CLI: `ideogram-studio generate|remix|edit|reframe|replace-background|... [options]`.

Every request field is an option (generated from the request types, so a new field cannot be
forgotten); files are paths; images are saved to `--out`; a JSON summary goes to stdout; any
error prints one clear line to stderr and exits non-zero (2: the request is invalid and nothing
was sent; 1: the service or the network failed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
import typing
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import __version__, cli_v2
from .api.client import IdeogramClient
from .api.errors import ApiError, ImageFileError, RequestValidationError
from .api.images import ImageFile
from .api.links import InsecureConnectionError, base_url_refusal
from .api.palette import ColorPalette
from .api.pricing import estimate_cost, format_cost
from .api.registry import V1_MODEL, spec_for
from .api.requests import BY_OPERATION, ApiRequest, Operation
from .api.responses import DescribeResponse, ImageResponse, LayerizeTextResponse
from .gallery import GalleryError, LibraryInUseError
from .private_files import use_private_umask, user_file_mode
from .secrets import resolve_key
from .settings import Settings

# Every operation with a v1 request type or a v2 model (precise-edit and remove-background are v2 only).
COMMANDS: dict[str, Operation] = {op.value: op for op in Operation if cli_v2.model_choices(op)}
HELP = {
    Operation.GENERATE: "make images from a prompt",
    Operation.GENERATE_TRANSPARENT: "make images with a transparent background",
    Operation.EDIT: "change the black part of --mask in --image (inpaint)",
    Operation.REMIX: "make new images from --image and a prompt",
    Operation.REFRAME: "extend --image to a new --resolution",
    Operation.REPLACE_BACKGROUND: "keep the subject of --image, paint a new background",
    Operation.DESCRIBE: "describe --image-file as prompts",
    Operation.UPSCALE: "upscale --image-file",
    Operation.LAYERIZE_TEXT: "find the text blocks of --image",
    Operation.PRECISE_EDIT: "edit --image at its exact size (Ideogram 4.5; optional --mask, black = edit)",
    Operation.REMOVE_BACKGROUND: "cut the subject of --image out onto transparency",
    Operation.REMOVE_OBJECT: "remove what --mask marks in --image and fill the gap (white = remove)",
}


def build_parser(models: dict[str, str] | None = None) -> argparse.ArgumentParser:
    """`models`: command → the --model given, which decides that command's options."""
    parser = argparse.ArgumentParser(
        prog="ideogram-studio", description="Ideogram Studio: the desktop studio, or scripts."
    )
    parser.add_argument("--version", action="version", version=f"ideogram-studio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, op in COMMANDS.items():
        choices = cli_v2.model_choices(op)
        model = (models or {}).get(name, choices[0])
        cmd = sub.add_parser(name, help=HELP[op], description=HELP[op])
        cmd.add_argument("--model", choices=choices, default=choices[0],
                         help=f"{V1_MODEL} is the v1 Ideogram 3.0 API (default: %(default)s)")  # fmt: skip
        if model == V1_MODEL:
            _add_request_options(cmd, BY_OPERATION[op])
        elif model in choices:
            cli_v2.add_v2_options(cmd, spec_for(op, model))
        cmd.add_argument("--out", type=Path, default=Path("."), help="folder for the images (default: here)")
        _add_connection(cmd)
        cmd.add_argument("--dry-run", action="store_true", help="validate and show the cost; send nothing")
        cli_v2.add_common_v2(cmd)
    cli_v2.add_jobs_command(sub, _add_connection)
    cli_v2.add_magic_prompt_command(sub, _add_connection)
    return parser


def _add_connection(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--api-base", help="API base URL (default: settings or $IDEOGRAM_API_BASE)")
    cmd.add_argument("--sandbox", action="store_true", help="use the built-in sandbox, not the real service")


def _add_request_options(cmd: argparse.ArgumentParser, cls: type[ApiRequest]) -> None:
    for name, tp in cls.field_types().items():
        flag = "--" + name.replace("_", "-")
        required = name in cls.required
        origin = typing.get_origin(tp)
        if tp is ImageFile:
            cmd.add_argument(flag, dest=name, type=Path, required=required, metavar="PATH")
        elif origin is tuple and typing.get_args(tp)[0] is ImageFile:
            cmd.add_argument(flag, dest=name, type=Path, action="append", metavar="PATH", help="repeat for several")
        elif origin is tuple:
            cmd.add_argument(flag, dest=name, action="append", metavar="VALUE", help="repeat for several")
        elif isinstance(tp, type) and issubclass(tp, StrEnum):
            cmd.add_argument(flag, dest=name, choices=[m.value for m in tp], required=required)
        elif tp is ColorPalette:
            cmd.add_argument(
                flag,
                dest=name,
                metavar="PALETTE",
                help='a preset name (EMBER), colours "#AABBCC:0.8,#112233:0.3", or JSON',
            )
        elif tp is int:
            cmd.add_argument(flag, dest=name, type=int, required=required)
        else:
            cmd.add_argument(flag, dest=name, required=required)


def parse_palette(text: str) -> Any:
    """Accept a preset name, "#hex[:weight],..." or the API's JSON; return the JSON value."""
    text = text.strip()
    if text.startswith("{"):
        return text
    if re.fullmatch(r"[A-Za-z]+", text):
        return {"name": text.upper()}
    members = []
    for part in text.split(","):
        hex_, _, weight = part.strip().partition(":")
        members.append({"color_hex": hex_} | ({"color_weight": float(weight)} if weight else {}))
    return {"members": members}


def request_from_args(cls: type[ApiRequest], args: argparse.Namespace) -> ApiRequest:
    fields: dict[str, Any] = {}
    files: dict[str, list[ImageFile]] = {}
    for name, tp in cls.field_types().items():
        value = getattr(args, name, None)
        if value is None:
            continue
        is_files = tp is ImageFile or (typing.get_origin(tp) is tuple and typing.get_args(tp)[0] is ImageFile)
        if is_files:
            paths = value if isinstance(value, list) else [value]
            try:
                files[name] = [ImageFile.from_path(p) for p in paths]
            except ImageFileError as exc:
                raise ImageFileError(exc.message, field=name) from None
        elif tp is ColorPalette:
            try:
                fields[name] = parse_palette(value)
            except ValueError:
                raise RequestValidationError(name, f"cannot read {value!r} as a palette") from None
        else:
            fields[name] = value
    return cls.from_parts(fields, files)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.command == "jobs":
        return await cli_v2.run_jobs(args, _make_client)
    if args.command == "magic-prompt":
        return await cli_v2.run_magic_prompt(args, _make_client)
    op = COMMANDS[args.command]
    if args.model != V1_MODEL:
        return await cli_v2.run_v2(args, op, _make_client)
    if args.quote:
        raise RequestValidationError("quote", "price quotes are a v2 service: choose a v2 --model")
    request = request_from_args(BY_OPERATION[op], args)
    request.validate()
    print(f"note: estimated cost {format_cost(estimate_cost(request))}", file=sys.stderr)
    summary: dict[str, Any] = {
        "operation": op.value,
        "request": request.fields_json(),
        "estimated_cost_usd": _cost_json(request),
    }
    if args.dry_run:
        summary["sent"] = False
        return summary
    client = _make_client(args)
    async with client:
        response = await client.send(request, on_retry=_report_retry)
        summary["sent"] = True
        for notice in client.deprecations.notices:  # once per endpoint, never an error
            print(f"note: {notice.message}", file=sys.stderr)
        if isinstance(response, ImageResponse):
            summary["created"] = response.created
            summary["images"] = await _save_images(client, response, args.out, op)
        elif isinstance(response, DescribeResponse):
            summary["descriptions"] = list(response.descriptions)
        elif isinstance(response, LayerizeTextResponse):
            summary["text_blocks"] = list(response.text_blocks)
            if response.base_image_url:
                data = await client.download_url(response.base_image_url)
                path = _unique_path(args.out, f"{op.value}-base")
                _write(path, data)
                summary["base_image"] = str(path)
    return summary


def _make_client(args: argparse.Namespace) -> IdeogramClient:
    if args.sandbox:
        from .sandbox import SandboxConfig, create_app, sandbox_transport

        app = create_app(SandboxConfig())
        return IdeogramClient(api_key="sandbox", base_url="http://sandbox.local", transport=sandbox_transport(app))
    settings = Settings.load()
    base = args.api_base or settings.effective_api_base
    key, source = resolve_key()
    if key is None and "api.ideogram.ai" in base:
        raise ApiError(
            f"No API key ({source}). Save one in the studio's Settings, or set IDEOGRAM_API_KEY; "
            "or add --sandbox to try the built-in sandbox."
        )
    refusal = base_url_refusal(base)  # a plain-http base, from --api-base, the environment or settings
    if refusal is not None:
        raise InsecureConnectionError(refusal)
    return IdeogramClient(api_key=key, base_url=base, max_in_flight_images=settings.max_in_flight_images)


async def _save_images(
    client: IdeogramClient, response: ImageResponse, out: Path, op: Operation
) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before any download
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results: list[dict[str, Any]] = []
    # Download all at once: the links expire.
    datas = await asyncio.gather(
        *(client.download(img) for img in response.data if img.is_image_safe and img.url), return_exceptions=True
    )
    it = iter(datas)
    for i, img in enumerate(response.data, 1):
        entry: dict[str, Any] = {
            "seed": img.seed,
            "resolution": img.upscaled_resolution or img.resolution,
            "prompt": img.prompt,
            "is_image_safe": img.is_image_safe,
            "style_type": img.style_type,
        }
        if img.is_image_safe and img.url:
            data = next(it)
            if isinstance(data, BaseException):
                entry["error"] = str(data)
            else:
                path = _unique_path(out, f"{op.value}-{stamp}-{i}-seed{img.seed}")
                _write(path, data)
                entry["path"] = str(path)
        else:
            entry["error"] = "withheld by the safety check (still billed)"
        results.append(entry)
    return results


def _unique_path(folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.png"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.png"
        n += 1
    return path


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.chmod(tmp, user_file_mode())  # an output the designer asked for: their umask, not the CLI's private one
    tmp.replace(path)


def _cost_json(request: ApiRequest) -> str | None:
    cost = estimate_cost(request)
    return None if cost is None else str(cost)


def _report_retry(attempt: int, error: ApiError, delay: float) -> None:
    print(f"note: {error.message} Retrying in {delay:.1f} s (attempt {attempt + 1}).", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    use_private_umask()  # anything the CLI creates for itself; --out images keep the designer's modes
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(cli_v2.preparse_models(argv))
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        summary = asyncio.run(run(args))
    except (RequestValidationError, ImageFileError) as exc:
        print(f"error: {exc.message.rstrip('.')} (nothing was sent).", file=sys.stderr)
        return 2
    except InsecureConnectionError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except LibraryInUseError as exc:  # the studio (or another script) has this library open
        print(f"error: {exc} Close it, or give the command another --library.", file=sys.stderr)
        return 1
    except GalleryError as exc:  # a full disk, a damaged index: the library's own sentence
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.strerror or exc} ({exc.filename or ''})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")
    job_failed = summary.get("job", {}).get("state") not in (None, "done")
    return 1 if job_failed or any("error" in img for img in summary.get("images", [])) else 0
