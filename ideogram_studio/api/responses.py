"""What the endpoints answer, as typed values (the raw JSON is kept too, for the record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class GeneratedImage:
    """One entry of `data`. `url` is None when the image was withheld as unsafe (still billed)."""

    url: str | None
    is_image_safe: bool
    prompt: str | None = None
    resolution: str | None = None
    upscaled_resolution: str | None = None
    seed: int | None = None
    style_type: str | None = None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> GeneratedImage:
        return cls(
            url=obj.get("url"),
            is_image_safe=bool(obj.get("is_image_safe", False)),
            prompt=obj.get("prompt"),
            resolution=obj.get("resolution"),
            upscaled_resolution=obj.get("upscaled_resolution"),
            seed=obj.get("seed"),
            style_type=obj.get("style_type"),
        )

    @property
    def expires_at(self) -> int | None:
        """Unix time the link expires, read from its `exp` parameter when present."""
        if not self.url:
            return None
        values = parse_qs(urlsplit(self.url).query).get("exp")
        try:
            return int(values[0]) if values else None
        except ValueError:
            return None

    @property
    def expected_size(self) -> tuple[int, int] | None:
        """Pixel size the downloaded file must have (the upscaled size where one is given)."""
        text = self.upscaled_resolution or self.resolution
        if not text or "x" not in text:
            return None
        w, _, h = text.partition("x")
        return int(w), int(h)


@dataclass(frozen=True)
class ImageResponse:
    created: str
    data: tuple[GeneratedImage, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ImageResponse:
        return cls(
            created=str(obj.get("created", "")),
            data=tuple(GeneratedImage.from_json(d) for d in obj.get("data", [])),
            raw=obj,
        )


@dataclass(frozen=True)
class DescribeResponse:
    descriptions: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> DescribeResponse:
        return cls(tuple(str(d.get("text", "")) for d in obj.get("descriptions", [])), raw=obj)


@dataclass(frozen=True)
class LayerizeTextResponse:
    base_image_url: str | None
    original_image_url: str | None
    seed: int | None
    text_blocks: tuple[dict[str, Any], ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> LayerizeTextResponse:
        return cls(
            obj.get("base_image_url"),
            obj.get("original_image_url"),
            obj.get("seed"),
            tuple(obj.get("text_blocks", [])),
            raw=obj,
        )


ApiResponse = ImageResponse | DescribeResponse | LayerizeTextResponse
