"""One request type per endpoint, validated before anything is sent.

Every request is a frozen dataclass whose field names are the API's form-field names, so the
same type serves the client (encode as multipart), the sandbox (decode and validate a form), the
job journal (store as JSON plus image files) and the CLI (options by field name).
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Union

from .enums import (
    AspectRatio,
    DescribeModelVersion,
    MagicPrompt,
    MagicPromptVersion,
    RenderingSpeed,
    Resolution,
    StylePreset,
    StyleType,
    UpscaleFactor,
)
from .errors import RequestValidationError
from .images import ImageFile
from .limits import (
    CHARACTER_REFERENCES_TOTAL,
    MAX_CHARACTER_REFERENCES,
    MAX_NUM_IMAGES,
    MAX_SEED,
    MAX_STYLE_REFERENCES,
    MB,
    REQUEST_TOTAL,
    STYLE_REFERENCES_TOTAL,
    file_size_limit,
)
from .palette import ColorPalette

STYLE_CODE = re.compile(r"^[0-9a-fA-F]{8}$")
CUSTOM_MODEL_URI = re.compile(r"^model/[^/\s]+/version/[^/\s]+$")

#: Text parts; a list value is sent as a repeated field.
FormFields = dict[str, str | list[str]]
#: Binary and JSON parts; a JSON part has no file name (None), as the API's curl examples send it.
FormFiles = list[tuple[str, tuple[str | None, bytes, str]]]


class Operation(StrEnum):
    """What a request does; also the name stored with each job and result."""

    GENERATE = "generate"
    GENERATE_TRANSPARENT = "generate-transparent"
    EDIT = "edit"
    REMIX = "remix"
    REFRAME = "reframe"
    REPLACE_BACKGROUND = "replace-background"
    DESCRIBE = "describe"
    UPSCALE = "upscale"
    LAYERIZE_TEXT = "layerize-text"
    #: v2 only (see api/registry.py): Ideogram 4.5's Precise Edit, background and object removal.
    PRECISE_EDIT = "precise-edit"
    REMOVE_BACKGROUND = "remove-background"
    REMOVE_OBJECT = "remove-object"


def _unwrap_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0]
    return tp


@dataclass(frozen=True, repr=False, eq=False)
class ApiRequest:
    """Base of every request. Subclasses declare fields named exactly as the API's form fields."""

    endpoint: ClassVar[str]
    operation: ClassVar[Operation]
    #: JSON-encoded parts (OpenAPI `encoding: contentType: application/json`).
    json_parts: ClassVar[frozenset[str]] = frozenset()
    #: Fields the endpoint requires.
    required: ClassVar[tuple[str, ...]] = ()
    #: The endpoint returns images (most) or something else (describe, layerize-text).
    returns_images: ClassVar[bool] = True

    # ---- what @dataclass would write for each type (eq, hash, repr), once for all of them --------
    # Every request type is a frozen dataclass; generated, these three methods were compiled for each
    # of the 15 types at import (~3 ms of the studio's start, before its prompt takes typing). The
    # same behaviour: equal when of the same type with equal fields, hashed by the fields, shown as
    # `GenerateRequest(prompt='…', …)`.
    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return _values(self) == _values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_values(self))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _names(type(self)))
        return f"{type(self).__qualname__}({fields})"

    # ---- introspection -------------------------------------------------------------------
    @classmethod
    def field_types(cls) -> dict[str, Any]:
        """Field name -> type. Resolved once per class: get_type_hints costs ~0.5 ms a call."""
        return dict(_field_types(cls))

    @classmethod
    def file_field_names(cls) -> list[str]:
        return list(_file_field_names(cls))

    def image_count(self) -> int:
        """Places this request takes in the service's in-flight limit (it counts images)."""
        n = getattr(self, "num_images", None)
        return int(n) if isinstance(n, int) and n > 0 else 1

    def files(self) -> dict[str, list[ImageFile]]:
        out: dict[str, list[ImageFile]] = {}
        for name in self.file_field_names():
            value = getattr(self, name)
            if value is None:
                continue
            items = list(value) if isinstance(value, tuple) else [value]
            if items:
                out[name] = items
        return out

    # ---- JSON record (journal, metadata, CLI) --------------------------------------------
    def fields_json(self) -> dict[str, Any]:
        """Every non-file field that is set, as JSON values (enums as strings)."""
        out: dict[str, Any] = {}
        for name, tp in self.field_types().items():
            if _is_file_type(tp):
                continue
            value = getattr(self, name)
            if value is None or value == ():
                continue
            out[name] = _to_json(value)
        return out

    @classmethod
    def from_parts(cls, fields: dict[str, Any], files: dict[str, list[ImageFile]] | None = None) -> typing.Self:
        """Build from JSON values or form strings; raises RequestValidationError on bad values."""
        types_ = cls.field_types()
        kwargs: dict[str, Any] = {}
        for name, raw in fields.items():
            if name not in types_ or _is_file_type(types_[name]):
                raise RequestValidationError(name, f"is not a field of {cls.endpoint}")
            kwargs[name] = _coerce(name, types_[name], raw)
        for name, items in (files or {}).items():
            if name not in types_ or not _is_file_type(types_[name]):
                raise RequestValidationError(name, f"is not a file field of {cls.endpoint}")
            if typing.get_origin(types_[name]) is tuple:
                kwargs[name] = tuple(items)
            else:
                if len(items) != 1:
                    raise RequestValidationError(name, "takes exactly one file")
                kwargs[name] = items[0]
        missing = [n for n in cls.required if n not in kwargs]
        if missing:
            raise RequestValidationError(missing[0], "is required")
        return cls(**kwargs)

    # ---- wire format ---------------------------------------------------------------------
    def form(self) -> tuple[FormFields, FormFiles]:
        """Multipart parts: repeated fields for lists, JSON for palette-like parts."""
        data: FormFields = {}
        files: FormFiles = []
        for name, value in self.fields_json().items():
            if name in self.json_parts:
                files.append((name, (None, json.dumps(value, separators=(",", ":")).encode(), "application/json")))
            elif isinstance(value, list):
                data[name] = [str(v) for v in value]
            else:
                data[name] = str(value)
        for name, items in self.files().items():
            files.extend((name, (f.upload_name, f.data, f.mime)) for f in items)
        return data, files

    def multipart(self) -> list[tuple[str, tuple[str | None, bytes] | tuple[str | None, bytes, str]]]:
        """Every part as httpx `files`, text fields included, so the body is always
        multipart/form-data (with `data=` alone httpx would send a urlencoded form, which the
        image endpoints refuse)."""
        data, files = self.form()
        text: list[tuple[str, tuple[str | None, bytes] | tuple[str | None, bytes, str]]] = []
        for name, value in data.items():
            for item in value if isinstance(value, list) else [value]:
                text.append((name, (None, item.encode())))
        return [*text, *files]

    # ---- validation ----------------------------------------------------------------------
    def validate(self) -> None:
        """Raise RequestValidationError naming the first field that breaks a rule."""
        for name in self.required:
            value = getattr(self, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise RequestValidationError(name, "is required")
        self._check_common()
        self._check_files()
        self.check_rules()

    def check_rules(self) -> None:
        """Endpoint-specific rules; subclasses extend."""

    def _check_common(self) -> None:
        num = getattr(self, "num_images", None)
        if num is not None and not 1 <= num <= MAX_NUM_IMAGES:
            raise RequestValidationError("num_images", f"must be between 1 and {MAX_NUM_IMAGES} (got {num})")
        seed = getattr(self, "seed", None)
        if seed is not None and not 0 <= seed <= MAX_SEED:
            raise RequestValidationError("seed", f"must be between 0 and {MAX_SEED} (got {seed})")
        if getattr(self, "resolution", None) is not None and getattr(self, "aspect_ratio", None) is not None:
            raise RequestValidationError("resolution", "give a resolution or an aspect ratio, not both")
        palette = getattr(self, "color_palette", None)
        if palette is not None:
            palette.validate()
        codes = getattr(self, "style_codes", ())
        for code in codes:
            if not STYLE_CODE.match(code):
                raise RequestValidationError("style_codes", f"{code!r} is not 8 hexadecimal characters")
        if codes and getattr(self, "style_type", None) is not None:
            raise RequestValidationError("style_codes", "cannot be combined with a style type")
        if codes and getattr(self, "style_reference_images", ()):
            raise RequestValidationError("style_codes", "cannot be combined with style reference images")
        uri = getattr(self, "custom_model_uri", None)
        if uri is not None and not CUSTOM_MODEL_URI.match(uri):
            raise RequestValidationError(
                "custom_model_uri",
                "is not a model's address: paste the address Ideogram shows on your model's page "
                "(such as model/my-brand/version/1)",
            )

    def _check_files(self) -> None:
        total = 0
        for name, items in self.files().items():
            limit = file_size_limit(self.endpoint, name)
            for f in items:
                total += len(f.data)
                if len(f.data) > limit:
                    raise RequestValidationError(
                        name, f"{f.filename} is {f.megabytes():.1f} MB; the limit is {limit // MB} MB"
                    )
        if total > REQUEST_TOTAL:
            raise RequestValidationError(
                "request", f"all images together are {total / MB:.1f} MB; the limit is {REQUEST_TOTAL // MB} MB"
            )
        refs: tuple[ImageFile, ...] = getattr(self, "style_reference_images", ())
        if len(refs) > MAX_STYLE_REFERENCES:
            raise RequestValidationError("style_reference_images", f"at most {MAX_STYLE_REFERENCES} images")
        if sum(len(f.data) for f in refs) > STYLE_REFERENCES_TOTAL:
            raise RequestValidationError(
                "style_reference_images", f"together they must stay under {STYLE_REFERENCES_TOTAL // MB} MB"
            )
        chars: tuple[ImageFile, ...] = getattr(self, "character_reference_images", ())
        if len(chars) > MAX_CHARACTER_REFERENCES:
            raise RequestValidationError(
                "character_reference_images", f"at most {MAX_CHARACTER_REFERENCES} image is supported"
            )
        if sum(len(f.data) for f in chars) > CHARACTER_REFERENCES_TOTAL:
            raise RequestValidationError(
                "character_reference_images", f"together they must stay under {CHARACTER_REFERENCES_TOTAL // MB} MB"
            )
        masks: tuple[ImageFile, ...] = getattr(self, "character_reference_images_mask", ())
        if masks:
            if len(masks) != len(chars):
                raise RequestValidationError(
                    "character_reference_images_mask", "needs exactly one mask per character reference image"
                )
            for mask, ref in zip(masks, chars, strict=True):
                if mask.size != ref.size:
                    raise RequestValidationError(
                        "character_reference_images_mask",
                        f"is {mask.width}×{mask.height} but its reference is {ref.width}×{ref.height}",
                    )

    @property
    def has_character_reference(self) -> bool:
        return bool(getattr(self, "character_reference_images", ()))


_FIELD_TYPES: dict[type, dict[str, Any]] = {}
_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    """A request type's field names, in order (once per type)."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _values(request: object) -> tuple[Any, ...]:
    return tuple(getattr(request, name) for name in _names(type(request)))


def _field_types(cls: type[ApiRequest]) -> dict[str, Any]:
    cached = _FIELD_TYPES.get(cls)
    if cached is None:
        hints = typing.get_type_hints(cls)
        cached = _FIELD_TYPES[cls] = {f.name: _unwrap_optional(hints[f.name]) for f in dataclasses.fields(cls)}
    return cached


def _file_field_names(cls: type[ApiRequest]) -> list[str]:
    return [n for n, tp in _field_types(cls).items() if _is_file_type(tp)]


def _grey_extrema(image: ImageFile) -> tuple[int, int]:
    return image.grey_extrema()


def _is_file_type(tp: Any) -> bool:
    return tp is ImageFile or (typing.get_origin(tp) is tuple and typing.get_args(tp)[0] is ImageFile)


def _to_json(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, ColorPalette):
        return value.to_json()
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


def _coerce(name: str, tp: Any, raw: Any) -> Any:
    """Turn a JSON value or a form string into the field's type, or name the field and rule."""
    try:
        if tp is str:
            if not isinstance(raw, str):
                raise TypeError
            return raw
        if tp is int:
            if isinstance(raw, bool):
                raise TypeError
            if isinstance(raw, int):
                return raw
            if isinstance(raw, str) and re.fullmatch(r"-?\d+", raw.strip()):
                return int(raw)
            raise TypeError
        if isinstance(tp, type) and issubclass(tp, StrEnum):
            try:
                return tp(raw)
            except ValueError:
                raise RequestValidationError(name, f"{raw!r} is not one of {', '.join(m.value for m in tp)}") from None
        if tp is ColorPalette:
            return ColorPalette.from_json(raw, name)
        if typing.get_origin(tp) is tuple:
            items = raw if isinstance(raw, list | tuple) else [raw]
            return tuple(_coerce(name, typing.get_args(tp)[0], v) for v in items)
    except TypeError:
        kind = {str: "text", int: "a whole number"}.get(tp, getattr(tp, "__name__", "a value"))
        raise RequestValidationError(name, f"must be {kind} (got {raw!r})") from None
    raise RequestValidationError(name, "has an unsupported type")


# ---- the endpoints --------------------------------------------------------------------------


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class _StyleFields(ApiRequest):
    style_preset: StylePreset | None = None
    color_palette: ColorPalette | None = None
    style_codes: tuple[str, ...] = ()
    style_reference_images: tuple[ImageFile, ...] = ()
    json_parts: ClassVar[frozenset[str]] = frozenset({"color_palette"})


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class _RenderFields(_StyleFields):
    num_images: int = 1
    seed: int | None = None
    rendering_speed: RenderingSpeed | None = None


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class _PromptedFields(_RenderFields):
    prompt: str = ""
    magic_prompt: MagicPrompt | None = None


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class _CharacterFields(_PromptedFields):
    style_type: StyleType | None = None
    custom_model_uri: str | None = None
    character_reference_images: tuple[ImageFile, ...] = ()
    character_reference_images_mask: tuple[ImageFile, ...] = ()


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class GenerateRequest(_CharacterFields):
    endpoint: ClassVar[str] = "/v1/ideogram-v3/generate"
    operation: ClassVar[Operation] = Operation.GENERATE
    required: ClassVar[tuple[str, ...]] = ("prompt",)
    resolution: Resolution | None = None
    aspect_ratio: AspectRatio | None = None
    negative_prompt: str | None = None


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class RemixRequest(GenerateRequest):
    endpoint: ClassVar[str] = "/v1/ideogram-v3/remix"
    operation: ClassVar[Operation] = Operation.REMIX
    required: ClassVar[tuple[str, ...]] = ("image", "prompt")
    image: ImageFile | None = None
    image_weight: int | None = None

    def check_rules(self) -> None:
        if self.image_weight is not None and not 1 <= self.image_weight <= 100:
            raise RequestValidationError("image_weight", f"must be between 1 and 100 (got {self.image_weight})")


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class EditRequest(_CharacterFields):
    """Inpaint: black in the mask marks what to change, white what to keep."""

    endpoint: ClassVar[str] = "/v1/ideogram-v3/inpaint"
    operation: ClassVar[Operation] = Operation.EDIT
    required: ClassVar[tuple[str, ...]] = ("image", "mask", "prompt")
    image: ImageFile | None = None
    mask: ImageFile | None = None

    def check_rules(self) -> None:
        assert self.image is not None and self.mask is not None
        if self.mask.size != self.image.size:
            raise RequestValidationError(
                "mask",
                f"is {self.mask.width}×{self.mask.height} but the image is "
                f"{self.image.width}×{self.image.height}; they must be the same size",
            )
        lo, hi = _grey_extrema(self.mask)
        if lo > 127:
            raise RequestValidationError("mask", "marks nothing to change (paint the area to edit)")
        if hi <= 127:
            raise RequestValidationError("mask", "marks the whole image; leave some of it to keep")


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class LegacyEditRequest(EditRequest):
    """The same call under its old name; the studio sends EditRequest (/inpaint)."""

    endpoint: ClassVar[str] = "/v1/ideogram-v3/edit"


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class ReframeRequest(_RenderFields):
    endpoint: ClassVar[str] = "/v1/ideogram-v3/reframe"
    operation: ClassVar[Operation] = Operation.REFRAME
    required: ClassVar[tuple[str, ...]] = ("image", "resolution")
    image: ImageFile | None = None
    resolution: Resolution | None = None


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class ReplaceBackgroundRequest(_PromptedFields):
    endpoint: ClassVar[str] = "/v1/ideogram-v3/replace-background"
    operation: ClassVar[Operation] = Operation.REPLACE_BACKGROUND
    required: ClassVar[tuple[str, ...]] = ("image", "prompt")
    image: ImageFile | None = None


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class GenerateTransparentRequest(ApiRequest):
    endpoint: ClassVar[str] = "/v1/ideogram-v3/generate-transparent"
    operation: ClassVar[Operation] = Operation.GENERATE_TRANSPARENT
    required: ClassVar[tuple[str, ...]] = ("prompt",)
    prompt: str = ""
    seed: int | None = None
    upscale_factor: UpscaleFactor | None = None
    aspect_ratio: AspectRatio | None = None
    rendering_speed: RenderingSpeed | None = None
    magic_prompt: MagicPrompt | None = None
    negative_prompt: str | None = None
    num_images: int = 1
    custom_model_uri: str | None = None

    def check_rules(self) -> None:
        if self.rendering_speed is RenderingSpeed.FLASH:
            raise RequestValidationError("rendering_speed", "FLASH is not available for transparent images")


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class DescribeRequest(ApiRequest):
    endpoint: ClassVar[str] = "/describe"
    operation: ClassVar[Operation] = Operation.DESCRIBE
    required: ClassVar[tuple[str, ...]] = ("image_file",)
    returns_images: ClassVar[bool] = False
    image_file: ImageFile | None = None
    describe_model_version: DescribeModelVersion | None = None


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class UpscaleRequest(ApiRequest):
    """The form has two parts: the image and `image_request`, a JSON object of the other fields."""

    endpoint: ClassVar[str] = "/upscale"
    operation: ClassVar[Operation] = Operation.UPSCALE
    required: ClassVar[tuple[str, ...]] = ("image_file",)
    image_file: ImageFile | None = None
    prompt: str | None = None
    resemblance: int | None = None
    detail: int | None = None
    magic_prompt_option: MagicPrompt | None = None
    magic_prompt_version: MagicPromptVersion | None = None
    num_images: int = 1
    seed: int | None = None

    def check_rules(self) -> None:
        for name in ("resemblance", "detail"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 100:
                raise RequestValidationError(name, f"must be between 1 and 100 (got {value})")

    def form(self) -> tuple[FormFields, FormFiles]:
        image_request = self.fields_json()
        assert self.image_file is not None
        f = self.image_file
        return {}, [
            ("image_request", (None, json.dumps(image_request, separators=(",", ":")).encode(), "application/json")),
            ("image_file", (f.upload_name, f.data, f.mime)),
        ]


@dataclass(frozen=True, repr=False, eq=False)  # (ApiRequest's own: see there)
class LayerizeTextRequest(ApiRequest):
    endpoint: ClassVar[str] = "/v1/ideogram-v3/layerize-text"
    operation: ClassVar[Operation] = Operation.LAYERIZE_TEXT
    required: ClassVar[tuple[str, ...]] = ("image",)
    returns_images: ClassVar[bool] = False
    image: ImageFile | None = None
    prompt: str | None = None
    seed: int | None = None


ALL_REQUESTS: tuple[type[ApiRequest], ...] = (
    GenerateRequest,
    GenerateTransparentRequest,
    EditRequest,
    LegacyEditRequest,
    RemixRequest,
    ReframeRequest,
    ReplaceBackgroundRequest,
    LayerizeTextRequest,
    DescribeRequest,
    UpscaleRequest,
)
BY_ENDPOINT: dict[str, type[ApiRequest]] = {cls.endpoint: cls for cls in ALL_REQUESTS}
BY_OPERATION: dict[Operation, type[ApiRequest]] = {
    cls.operation: cls for cls in ALL_REQUESTS if cls is not LegacyEditRequest
}
