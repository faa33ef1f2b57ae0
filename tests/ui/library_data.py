"""A library to look at and test against: real PNG results with varied metadata, tags, presets,
ratings, favourites, collections and lineage (stored through Gallery.store_image, newest), plus
thousands of older synthetic rows inserted straight into the index, whose files are links to a
few small real PNGs (so their thumbnails can be made too)."""

from __future__ import annotations

import io
import os
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw

from ideogram_studio.gallery import Gallery
from tests.core.gallery_fixtures import synthetic_rows

PRESETS = ("BAUHAUS", "WATERCOLOR", "ART_DECO", "TRAVEL_POSTER", "POP_ART", None)
STYLE_TYPES = ("DESIGN", "REALISTIC", "FICTION", "GENERAL")
PALETTES = ("EMBER", "FRESH", "JUNGLE", None)
RATIOS = (("1x1", (384, 384)), ("16x9", (512, 288)), ("9x16", (288, 512)), ("4x3", (448, 336)))
SUBJECTS = ("lighthouse", "red fox", "castle", "neon sign", "forest cabin", "robot", "poster", "sunset",
            "ocean wave", "coffee logo", "mountain", "city skyline")
TAGS = ("client-a", "poster", "logo", "draft", "final", "brand kit", "social")


def picture(width: int, height: int, seed: int, label: str = "") -> bytes:
    """A gradient with a few shapes and a label: different for each seed, cheap to encode."""
    rng = random.Random(seed)
    top = tuple(rng.randrange(40, 230) for _ in range(3))
    bottom = tuple(rng.randrange(20, 200) for _ in range(3))
    grad = Image.linear_gradient("L").resize((width, height))
    img = Image.composite(Image.new("RGB", (width, height), top), Image.new("RGB", (width, height), bottom), grad)
    draw = ImageDraw.Draw(img)
    for _ in range(3):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(min(width, height) // 10, min(width, height) // 3)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    if label:
        draw.rectangle((0, height - 22, width, height), fill=(0, 0, 0))
        draw.text((6, height - 18), label[:48], fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


@dataclass
class BuiltLibrary:
    gallery: Gallery
    #: Hashes of the real results, newest first.
    real: list[str] = field(default_factory=list)
    #: (child, parent, operation, mask or None) for each derived result.
    derived: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    collections: dict[str, int] = field(default_factory=dict)
    synthetic: int = 0


def build_library(root: Path, *, real: int = 200, synthetic: int = 3000, seed: int = 1,
                  distinct_files: int = 40) -> BuiltLibrary:
    """Make the library in `root` (opened and returned; close it when done)."""
    gallery = Gallery.open(root, thumbnail_workers=2)
    built = BuiltLibrary(gallery)
    if synthetic:
        add_synthetic(gallery, synthetic, distinct_files=distinct_files, seed=seed)
        built.synthetic = synthetic
    rng = random.Random(seed)
    now = datetime.now(UTC)
    made: list[str] = []
    for i in range(real):
        ratio, (w, h) = RATIOS[i % len(RATIOS)]
        subject = SUBJECTS[i % len(SUBJECTS)]
        preset = PRESETS[i % len(PRESETS)]
        palette = PALETTES[i % len(PALETTES)]
        prompt = f"A {subject} poster, {rng.choice(('bold', 'soft', 'vintage', 'bright'))} colours #{i}"
        request = {"prompt": prompt, "aspect_ratio": ratio, "rendering_speed": "TURBO", "magic_prompt": "ON",
                   "style_type": STYLE_TYPES[i % len(STYLE_TYPES)], "seed": 1000 + i}
        if preset:
            request["style_preset"] = preset
        if palette:
            request["color_palette"] = {"name": palette}
        if i % 9 == 0:
            request["negative_prompt"] = "blurry, watermark"
        response = {"seed": 1000 + i, "resolution": f"{w}x{h}", "is_image_safe": True,
                    "style_type": STYLE_TYPES[i % len(STYLE_TYPES)],
                    "prompt": prompt + ", dramatic light, crisp typography"}
        created = now - timedelta(minutes=3 * (real - i))
        parents: list[str] = []
        mask: str | None = None
        operation = "generate"
        if made and i % 7 == 3:
            operation = "remix"
            parents = [made[-1]]
        elif made and i % 11 == 5:
            operation = "edit"
            parents = [made[-2] if len(made) > 1 else made[-1]]
            mask_png = picture(w, h, 9000 + i)
            mask = gallery.store_input(mask_png, "mask").hash
        elif made and i % 13 == 8:
            operation = "upscale"
            parents = [made[-1]]
        stored = gallery.store_image(
            picture(w, h, i, f"{subject} · {preset or 'no preset'}"),
            operation=operation, request_fields=request, response_fields=response, parents=parents, mask=mask,
            created_at=created,
        )
        made.append(stored.hash)
        if parents:
            built.derived.append((stored.hash, parents[0], operation, mask))
    for i, h in enumerate(made):
        tags = [TAGS[(i + k) % len(TAGS)] for k in range(i % 3)]
        if tags:
            gallery.add_tags([h], tags)
    gallery.set_favourite(made[::6], True)
    for stars in range(1, 6):
        gallery.set_rating(made[stars::7], stars)
    for name in ("Client A", "Moodboard"):
        built.collections[name] = gallery.create_collection(name).id
    if made:
        gallery.add_to_collection(built.collections["Client A"], made[:12])
    built.real = list(reversed(made))
    return built


def add_synthetic(gallery: Gallery, n: int, *, distinct_files: int = 40, seed: int = 0) -> None:
    """`n` index rows (older than any real result) whose files link to a few small PNGs."""
    sources = []
    pool = gallery.data_dir / "bench-sources"
    pool.mkdir(exist_ok=True)
    for k in range(max(1, distinct_files)):
        p = pool / f"src-{k}.png"
        p.write_bytes(picture(256, 256, 10_000 + k))
        sources.append(p)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = list(synthetic_rows(n, seed=seed, start=start))
    for i, new in enumerate(rows):
        target = gallery.data_dir / new.path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(sources[i % len(sources)], target)
        except OSError:
            target.write_bytes(sources[i % len(sources)].read_bytes())
        new.width = new.height = 256
    gallery.index.insert_many(rows)
