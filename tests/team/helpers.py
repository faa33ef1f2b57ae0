"""Helpers shared by the team library tests (plain functions and classes; fixtures live in conftest.py)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from ideogram_studio.gallery import Gallery
from ideogram_studio.team import TeamConfig, TeamCredentials, TeamLibrary

from .servers import PASSWORDS, S3_KEYS, S3_OF_USER, Servers

WORDS = ("cat", "dog", "castle", "neon", "forest", "robot", "poster", "sunset", "ocean", "logo", "mountain")


@dataclass
class TeamEnv:
    servers: Servers
    database: str
    bucket: str
    cache_root: Path
    opened: list[TeamLibrary] = field(default_factory=list)

    def config(self, user: str = "alice", *, bucket: str | None = None) -> TeamConfig:
        access, _, _ = S3_KEYS[S3_OF_USER.get(user, "designer")]
        return TeamConfig(db_url=self.servers.pg.url(user, self.database), s3_endpoint=self.servers.s3.endpoint,
                          bucket=bucket or self.bucket, s3_access_key=access, enabled=True)

    def credentials(self, user: str = "alice") -> TeamCredentials:
        _, secret, _ = S3_KEYS[S3_OF_USER.get(user, "designer")]
        return TeamCredentials(db_password=PASSWORDS.get(user), s3_secret_key=secret)

    def library(self, user: str = "alice", *, connect: bool = True, cache: str | None = None) -> TeamLibrary:
        lib = TeamLibrary.from_config(self.config(user), self.credentials(user),
                                      cache_root=self.cache_root / (cache or user))
        self.opened.append(lib)
        if connect:
            lib.connect()
        return lib


def png_bytes(seed: int, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    raw = random.Random(seed).randbytes(size[0] * size[1] * len(mode))
    buf = io.BytesIO()
    Image.frombytes(mode, size, raw).save(buf, "PNG")
    return buf.getvalue()


def add_results(gallery: Gallery, n: int, *, seed: int = 0, prompt: Callable[[int], str] | None = None,
                tags: tuple[str, ...] = ()) -> list[str]:
    """Store n generated results (random pixels, prompts from WORDS); their hashes."""
    hashes = []
    for i in range(n):
        words = prompt(i) if prompt else f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7 + 3) % len(WORDS)]} number {i}"
        stored = gallery.store_image(
            png_bytes(seed * 100_000 + i), operation="generate",
            request_fields={"prompt": words, "aspect_ratio": "4x3", "rendering_speed": "TURBO"},
            response_fields={"seed": 1000 + i, "resolution": "64x48"},
        )
        hashes.append(stored.hash)
    if tags:
        gallery.add_tags(hashes, tags)
    return hashes


def add_edit(gallery: Gallery, seed: int = 7) -> tuple[str, str, str]:
    """An Edit result with its source and mask stored as inputs: (result, source, mask)."""
    source = gallery.store_input(png_bytes(seed * 1000 + 1), "image", filename="source.png").hash
    mask = gallery.store_input(png_bytes(seed * 1000 + 2, mode="L"), "mask", filename="mask.png").hash
    result = gallery.store_image(
        png_bytes(seed * 1000 + 3), operation="edit",
        request_fields={"prompt": "replace the sky with a nebula", "rendering_speed": "TURBO"},
        response_fields={"seed": 42}, parents=[source], mask=mask,
    ).hash
    return result, source, mask
