"""What the endpoints answer, as typed values (the raw JSON is kept too, for the record).

Every answer is checked by type before anything uses it (the contract's schemas): a field of the
wrong type, a list that is not a list, a resolution that is not "WxH" raise ResponseFormatError,
a sentence the job shows, instead of a TypeError somewhere in the event loop. The small readers
(`Fields`) are meant for every answer shape, v1 and later: one per object, each field read once
with the type it must have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import ResponseFormatError

_RESOLUTION = re.compile(r"^(\d{1,5})x(\d{1,5})$")


class Fields:
    """Typed access to one JSON object of an answer; `where` names it in errors ("data[2]")."""

    def __init__(self, obj: object, where: str) -> None:
        if not isinstance(obj, dict):
            raise ResponseFormatError(f"{where} is {_kind(obj)}, not an object")
        self.obj: dict[str, Any] = obj
        self.where = where

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.obj or self.obj[name] is None:
            if required:
                raise ResponseFormatError(f"{self._name(name)} is missing")
            return None
        return self.obj[name]

    def _name(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def _wrong(self, name: str, value: object, expected: str) -> ResponseFormatError:
        return ResponseFormatError(f"{self._name(name)} is {_kind(value)}, not {expected}")

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._get(name, required)
        if value is not None and not isinstance(value, str):
            raise self._wrong(name, value, "text")
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self._get(name, required)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self._wrong(name, value, "a whole number")
        return value

    def flag(self, name: str, *, required: bool = False) -> bool | None:
        value = self._get(name, required)
        if value is not None and not isinstance(value, bool):
            raise self._wrong(name, value, "true or false")
        return value

    def array(self, name: str, *, required: bool = False) -> list[Any]:
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._wrong(name, value, "a list")
        return value

    def objects(self, name: str, *, required: bool = False) -> list[Fields]:
        return [Fields(item, f"{self._name(name)}[{i}]") for i, item in enumerate(self.array(name, required=required))]

    def url(self, name: str, *, required: bool = False) -> str | None:
        value = self.text(name, required=required) or None  # the contract's "empty" url of a withheld image
        if value is None and required:
            raise ResponseFormatError(f"{self._name(name)} is missing")
        if value is not None and _scheme(value) not in ("http", "https"):
            raise ResponseFormatError(f"{self._name(name)} is not a web link")
        return value

    def resolution(self, name: str, *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and not _RESOLUTION.match(value):
            raise ResponseFormatError(f"{self._name(name)} is not a size like 1024x768")
        return value


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:  # e.g. a bracketed host that is not an address
        return ""


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


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
    def from_json(cls, obj: object, where: str = "data[0]") -> GeneratedImage:
        f = Fields(obj, where)
        return cls(
            url=f.url("url"),
            is_image_safe=bool(f.flag("is_image_safe", required=True)),
            prompt=f.text("prompt"),
            resolution=f.resolution("resolution"),
            upscaled_resolution=f.resolution("upscaled_resolution"),
            seed=f.integer("seed"),
            style_type=f.text("style_type"),
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
        match = _RESOLUTION.match(self.upscaled_resolution or self.resolution or "")
        return (int(match[1]), int(match[2])) if match else None


@dataclass(frozen=True)
class ImageResponse:
    created: str
    data: tuple[GeneratedImage, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> ImageResponse:
        f = Fields(obj, "")
        created = f.obj.get("created")
        return cls(
            created="" if created is None else str(created),
            data=tuple(GeneratedImage.from_json(d.obj, d.where) for d in f.objects("data", required=True)),
            raw=f.obj,
        )


@dataclass(frozen=True)
class DescribeResponse:
    descriptions: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> DescribeResponse:
        f = Fields(obj, "")
        texts = tuple(d.text("text") or "" for d in f.objects("descriptions", required=True))
        return cls(texts, raw=f.obj)


@dataclass(frozen=True)
class LayerizeTextResponse:
    base_image_url: str | None
    original_image_url: str | None
    seed: int | None
    text_blocks: tuple[dict[str, Any], ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> LayerizeTextResponse:
        f = Fields(obj, "")
        return cls(
            f.url("base_image_url"),
            f.url("original_image_url"),
            f.integer("seed"),
            tuple(block.obj for block in f.objects("text_blocks")),
            raw=f.obj,
        )

    def as_image_response(self) -> ImageResponse:
        """The text-free base image as one result (see V2LayersResult.as_image_response)."""
        url = self.base_image_url
        base = GeneratedImage(url=url, is_image_safe=url is not None, seed=self.seed)
        return ImageResponse(created="", data=(base,), raw=self.raw)


ApiResponse = ImageResponse | DescribeResponse | LayerizeTextResponse
