"""Helpers for the gallery tests: images made on the spot, other tools' PNGs, synthetic rows."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from ideogram_studio.gallery import Gallery
from ideogram_studio.gallery.metadata import IndexFields
from ideogram_studio.gallery.models import NewImage
from ideogram_studio.gallery.query import ImageQuery

OPERATIONS = ("generate", "edit", "remix", "reframe", "replace-background")
PRESETS = ("BAUHAUS", "WATERCOLOR", "ART_DECO", None)
STYLE_TYPES = ("AUTO", "REALISTIC", "DESIGN", "FICTION")
PALETTES = ("EMBER", "FRESH", "custom", None)
RATIOS = ("1x1", "16x9", "9x16", "4x3")
WORDS = ("cat", "dog", "castle", "neon", "forest", "robot", "poster", "sunset", "ocean", "logo", "café", "mountain")


def noise_png(width: int = 64, height: int = 64, seed: int = 0, mode: str = "RGB") -> bytes:
    """A PNG whose pixels are pseudo-random from `seed` (different seeds, different images)."""
    bands = len(mode)
    raw = random.Random(seed).randbytes(width * height * bands)
    img = Image.frombytes(mode, (width, height), raw)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def encode(img: Image.Image, fmt: str, **kw: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def jpeg_bytes(width: int = 80, height: int = 60, seed: int = 1) -> bytes:
    img = Image.open(io.BytesIO(noise_png(width, height, seed))).convert("RGB")
    return encode(img, "JPEG", quality=90)


def png_with_text(chunks: dict[str, str], seed: int = 5, size: tuple[int, int] = (48, 40)) -> bytes:
    info = PngImagePlugin.PngInfo()
    for k, v in chunks.items():
        info.add_text(k, v)
    img = Image.open(io.BytesIO(noise_png(*size, seed=seed)))
    return encode(img, "PNG", pnginfo=info)


A1111_TEXT = (
    "a lighthouse at dusk, (dramatic clouds:1.2)\n"
    "oil painting\n"
    "Negative prompt: blurry, lowres\n"
    'Steps: 30, Sampler: DPM++ 2M, CFG scale: 7, Seed: 1234567, Size: 512x768, Model: "sd, xl", Version: v1.9'
)


def a1111_png(seed: int = 11) -> bytes:
    return png_with_text({"parameters": A1111_TEXT}, seed=seed)


def invokeai_png(seed: int = 12) -> bytes:
    meta = {"positive_prompt": "a fox in the snow", "negative_prompt": "text", "seed": 99, "width": 48,
            "height": 40, "api_key": "should-never-be-kept"}
    return png_with_text({"invokeai_metadata": json.dumps(meta)}, seed=seed)


def comfyui_png(seed: int = 13) -> bytes:
    graph = {
        "3": {"class_type": "KSampler", "inputs": {"seed": 777, "positive": ["6", 0], "negative": ["7", 0]}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red bicycle", "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "watermark", "clip": ["4", 1]}},
    }
    return png_with_text({"prompt": json.dumps(graph), "workflow": json.dumps({"nodes": []})}, seed=seed)


def novelai_png(seed: int = 14) -> bytes:
    comment = {"prompt": "ignored", "uc": "bad hands", "seed": 4242, "steps": 28}
    return png_with_text({"Software": "NovelAI", "Description": "a girl reading under a tree",
                          "Comment": json.dumps(comment)}, seed=seed)


def store_result(g: Gallery, seed: int, prompt: str = "a cat", **kw: Any) -> str:
    """Store a generated-looking PNG result and return its hash."""
    request = {"prompt": prompt, "style_preset": "BAUHAUS", "aspect_ratio": "1x1", "rendering_speed": "TURBO"}
    request.update(kw.pop("request", {}))
    response = {"seed": seed, "resolution": "64x64", "prompt": prompt, "is_image_safe": True, "style_type": "DESIGN"}
    stored = g.store_image(noise_png(64, 64, seed), operation=kw.pop("operation", "generate"),
                           request_fields=request, response_fields=response, **kw)
    return stored.hash


def synthetic_rows(n: int, *, seed: int = 0, start: datetime | None = None) -> Iterator[NewImage]:
    """`n` index rows with varied, deterministic metadata (no files behind them)."""
    rng = random.Random(seed)
    t0 = start or datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(n):
        words = rng.sample(WORDS, 3)
        prompt = f"{words[0]} and {words[1]} near a {words[2]} #{i}"
        created = t0 + timedelta(minutes=i, seconds=rng.random())
        digest = f"{i:064x}"
        fields = IndexFields(
            created_at=created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            operation=OPERATIONS[i % len(OPERATIONS)],
            source="ideogram-studio",
            prompt=prompt,
            negative_prompt="blurry" if i % 7 == 0 else None,
            style_type=STYLE_TYPES[i % len(STYLE_TYPES)],
            style_preset=PRESETS[i % len(PRESETS)],
            palette=PALETTES[i % len(PALETTES)],
            aspect_ratio=RATIOS[i % len(RATIOS)],
            resolution="1024x1024",
            seed=rng.randrange(2**31),
            rendering_speed="TURBO",
        )
        yield NewImage(
            hash=digest, path=f"images/{digest[:2]}/{digest}.png", width=1024, height=1024, format="PNG",
            bytes=1000, fields=fields, metadata=_result_metadata(i, prompt, fields), added_at=fields.created_at,
            favourite=i % 10 == 0, rating=i % 6,
        )


def _result_metadata(i: int, prompt: str, f: IndexFields) -> dict[str, Any]:
    """About the size of a real result's metadata (~1 kB)."""
    return {
        "schema": 1, "kind": "result", "app": "Ideogram Studio", "app_version": "0.1.0", "created_at": f.created_at,
        "operation": f.operation, "job_id": f"job-{i:08d}-{'x' * 24}",
        "request": {"prompt": prompt, "negative_prompt": f.negative_prompt, "style_preset": f.style_preset,
                    "style_type": f.style_type, "aspect_ratio": f.aspect_ratio, "rendering_speed": "TURBO",
                    "magic_prompt": "AUTO", "num_images": 4, "seed": f.seed,
                    "color_palette": {"members": [{"color_hex": "#AABBCC", "color_weight": 0.5}] * 3}},
        "response": {"seed": f.seed, "resolution": f.resolution, "is_image_safe": True, "style_type": f.style_type,
                     "prompt": prompt + ", rendered with dramatic lighting, high detail, crisp typography, "
                     "balanced composition and a rich, harmonious colour palette"},
        "lineage": [{"hash": f"{i + 1:064x}", "role": "image"}] if f.operation != "generate" else [],
    }


def snapshot(g: Gallery) -> dict[str, Any]:
    """Everything a rebuild must give back, keyed by hash (ids and added times may differ)."""
    ids = g.ids(ImageQuery(trashed=None, inputs=None))
    names = {c.id: c for c in g.collections()}

    def coll_path(cid: int) -> str:
        parts = []
        cur: int | None = cid
        while cur is not None:
            parts.append(names[cur].name)
            cur = names[cur].parent_id
        return "/".join(reversed(parts))

    out: dict[str, Any] = {}
    for row in g.rows_for(ids):
        out[row.hash] = {
            "path": row.path, "size": (row.width, row.height), "format": row.format, "created": row.created_at,
            "operation": row.operation, "prompt": row.prompt, "prompt_used": row.prompt_used,
            "negative": row.negative_prompt, "seed": row.seed, "preset": row.style_preset,
            "palette": row.palette, "ratio": row.aspect_ratio, "is_input": row.is_input,
            "favourite": row.favourite, "rating": row.rating, "trashed": row.trashed_at,
            "tags": sorted(row.tags), "metadata": g.metadata(row.hash),
            "parents": sorted((p.parent, p.role) for p in g.parents(row.hash)),
            "collections": sorted(coll_path(c) for c in g.collections_of(row.hash)),
        }
    return out


def tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
