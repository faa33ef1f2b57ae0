"""Which (operation, model) pairs of the v2 API the studio speaks, and each one's fields and limits.

One entry per path `/v2/image/<operation>/<model>` (layerize: `/v2/design/layerize/<model>`). The
table mirrors the trimmed contract in tests/contract/openapi-v2.json (field names, kinds, enums,
ranges, required fields, body kinds, async, dry_run, file limits, mask polarity);
tests/core/test_registry_contract.py fails when the two disagree. v1 Ideogram 3.0 requests stay in
requests.py; `resolve(operation, model)` answers for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .enums import AspectRatio, Resolution, StylePreset
from .errors import RequestValidationError
from .limits import MB
from .requests import BY_OPERATION, ApiRequest, Operation


class FieldKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    #: A list of short codes (style_codes), repeated form fields or a JSON array.
    CODES = "codes"
    #: A JSON object part (color_palette).
    PALETTE = "palette"
    #: One file, or several (`max_count` > 1).
    FILE = "file"


class MaskPolarity(StrEnum):
    """What the black pixels of a mask mean for an endpoint, as its contract states it (the mask
    export's one table, imaging/mask_export.EXPORT_POLARITY, is checked against these)."""

    BLACK_EDITS = "black-edits"
    WHITE_EDITS = "white-edits"


class AsyncMode(StrEnum):
    OPTIONAL = "optional"
    ONLY = "only"
    NONE = "none"


class Answer(StrEnum):
    IMAGES = "images"
    DESCRIBE = "describe"
    DESCRIBE_JSON = "describe-json"
    LAYERS = "layers"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    #: A full-match regular expression for TEXT (context_window, size) and CODES (style codes).
    pattern: str | None = None
    #: FILE: bytes allowed per file, and files allowed.
    max_bytes: int | None = None
    max_count: int = 1

    @property
    def is_file(self) -> bool:
        return self.kind is FieldKind.FILE

    @property
    def is_list(self) -> bool:
        return self.kind is FieldKind.CODES or (self.kind is FieldKind.FILE and self.max_count > 1)


@dataclass(frozen=True)
class OperationSpec:
    operation: Operation
    model: str
    path: str
    fields: dict[str, FieldSpec]
    required: tuple[str, ...]
    #: "json", "multipart", or both; a request with files is always multipart.
    bodies: frozenset[str]
    async_mode: AsyncMode = AsyncMode.OPTIONAL
    #: The contract declares the DryRun parameter: a price quote may be asked.
    dry_run: bool = True
    answer: Answer = Answer.IMAGES
    mask_polarity: MaskPolarity | None = None
    #: Ideogram 4.x: the prompt may be the structured JSON caption.
    structured_prompt: bool = False
    #: Where the entry comes from when not from the 2026-10-07 snapshot.
    source: str = "snapshot"
    notes: tuple[str, ...] = field(default=())

    @property
    def key(self) -> tuple[Operation, str]:
        return self.operation, self.model

    @property
    def file_fields(self) -> list[str]:
        return [n for n, f in self.fields.items() if f.is_file]

    def has(self, name: str) -> bool:
        return name in self.fields


# ---- enums (lowercase in v2) -----------------------------------------------------------------
MAGIC_PROMPT = ("auto", "on", "off")
RENDERING_SPEED = ("turbo", "default", "quality")
QUALITY_45 = ("very_low", "low", "medium", "high")
STYLE_TYPE = ("auto", "general", "realistic", "design", "custom", "fiction", "stylized")
STYLE_PRESETS = tuple(p.value.lower() for p in StylePreset)
RESOLUTIONS_3 = tuple(r.value for r in Resolution)
ASPECTS_3 = tuple(a.value for a in AspectRatio)
#: The 38 resolutions of Ideogram 4.x: the 2K set, then a 1K set.
RESOLUTIONS_4 = (
    "2048x2048", "1440x2880", "2880x1440", "1664x2496", "2496x1664", "1792x2240", "2240x1792", "1440x2560",
    "2560x1440", "1600x2560", "2560x1600", "1728x2304", "2304x1728", "1296x3168", "3168x1296", "1152x2944",
    "2944x1152", "1248x3328", "3328x1248", "1280x3072", "3072x1280", "1024x3072", "3072x1024", "1024x1024",
    "896x1120", "1120x896", "864x1152", "1152x864", "832x1248", "1248x832", "800x1280", "1280x800",
    "720x1280", "1280x720", "720x1440", "1440x720", "512x1536", "1536x512",
)  # fmt: skip
ASPECTS_4_TRANSPARENT = (
    "auto", "1x4", "1x3", "1x2", "9x16", "10x16", "2x3", "3x4", "4x5", "1x1", "5x4", "4x3", "3x2", "16x10",
    "16x9", "2x1", "3x1", "4x1",
)  # fmt: skip
OUTPUT_RESOLUTION = ("1k", "2k", "4k", "8k")
UPSCALE_FACTOR = ("x2", "x4", "x8")
UPSCALE_FACTOR_TRANSPARENT = ("x1", "x2", "x4")
SUBJECT_DETECTION = ("all", "foreground", "background")
MAX_SEED = 2_147_483_647
#: 4.5 / 4.6 prompt limit (also the structured caption's, serialised).
MAX_PROMPT_45 = 10_000
SIZE_PATTERN = r"auto|source|[0-9]{3,4}x[0-9]{3,4}"
CONTEXT_WINDOW_PATTERN = r"auto|[0-9]{1,5},[0-9]{1,5},[0-9]{1,5},[0-9]{1,5}"
STYLE_CODE_PATTERN = r"[0-9a-fA-F]{8}"


# ---- field builders ----------------------------------------------------------------------------
def _text(name: str, *, max_length: int | None = None, pattern: str | None = None) -> FieldSpec:
    return FieldSpec(name, FieldKind.TEXT, max_length=max_length, pattern=pattern)


def _int(name: str, lo: int, hi: int) -> FieldSpec:
    return FieldSpec(name, FieldKind.INTEGER, minimum=lo, maximum=hi)


def _choice(name: str, choices: tuple[str, ...]) -> FieldSpec:
    return FieldSpec(name, FieldKind.CHOICE, choices=choices)


def _bool(name: str) -> FieldSpec:
    return FieldSpec(name, FieldKind.BOOLEAN)


def _number(name: str) -> FieldSpec:
    return FieldSpec(name, FieldKind.NUMBER)


def _file(name: str, mb: int, count: int = 1) -> FieldSpec:
    return FieldSpec(name, FieldKind.FILE, max_bytes=mb * MB, max_count=count)


def _fields(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {s.name: s for s in specs}


COMMON = (_bool("private"), _bool("async"), _bool("enable_copyright_detection"))
RENDER = (_int("num_images", 1, 8), _int("seed", 0, MAX_SEED), _choice("rendering_speed", RENDERING_SPEED))
STYLE_CODES = FieldSpec("style_codes", FieldKind.CODES, pattern=STYLE_CODE_PATTERN)
STYLE_3 = (
    _choice("style_type", STYLE_TYPE),
    _choice("style_preset", STYLE_PRESETS),
    STYLE_CODES,
    _file("style_reference_images", 25, 10),
)
PALETTE = FieldSpec("color_palette", FieldKind.PALETTE)
PROMPT_45 = _text("prompt", max_length=MAX_PROMPT_45)
GENERATE_45 = (
    PROMPT_45,
    _choice("magic_prompt", MAGIC_PROMPT),
    _choice("quality", QUALITY_45),
    _text("size", pattern=SIZE_PATTERN),
    _int("num_images", 1, 8),
    _int("seed", 0, MAX_SEED),
    _file("images", 25, 5),
    _file("mask", 25),
    *COMMON,
)
TOPAZ = (_number("denoise"), _number("sharpen"), _number("strength"), _number("fix_compression"))
J, M = frozenset({"json"}), frozenset({"multipart"})
JM = J | M

SPECS: tuple[OperationSpec, ...] = (
    OperationSpec(
        Operation.GENERATE, "ideogram-3", "/v2/image/generate/ideogram-3",
        _fields(_text("prompt"), _choice("aspect_ratio", ("auto", *ASPECTS_3)), _choice("resolution", RESOLUTIONS_3),
                _choice("magic_prompt", MAGIC_PROMPT), _text("negative_prompt"), *RENDER, *STYLE_3, PALETTE, *COMMON),
        ("prompt",), JM,
    ),
    OperationSpec(
        Operation.GENERATE_TRANSPARENT, "ideogram-3", "/v2/image/generate/ideogram-3-transparent",
        _fields(_text("prompt"), _choice("aspect_ratio", ("auto", *ASPECTS_3)), _choice("magic_prompt", MAGIC_PROMPT),
                _text("negative_prompt"), *RENDER, _choice("upscale_factor", UPSCALE_FACTOR_TRANSPARENT), *COMMON),
        ("prompt",), J,
    ),
    OperationSpec(
        Operation.GENERATE, "ideogram-4", "/v2/image/generate/ideogram-4",
        _fields(_text("prompt"), _choice("magic_prompt", MAGIC_PROMPT), _choice("resolution", RESOLUTIONS_4),
                *RENDER, *COMMON),
        ("prompt",), J, structured_prompt=True,
    ),
    OperationSpec(
        Operation.GENERATE_TRANSPARENT, "ideogram-4", "/v2/image/generate/ideogram-4-transparent",
        _fields(_text("prompt"), _choice("magic_prompt", MAGIC_PROMPT), _choice("aspect_ratio", ASPECTS_4_TRANSPARENT),
                _choice("output_resolution", OUTPUT_RESOLUTION), *RENDER, *COMMON),
        ("prompt",), J, structured_prompt=True,
    ),
    OperationSpec(
        Operation.GENERATE, "ideogram-4-5", "/v2/image/generate/ideogram-4-5",
        _fields(*GENERATE_45), ("prompt",), JM, mask_polarity=MaskPolarity.BLACK_EDITS, structured_prompt=True,
    ),
    OperationSpec(
        Operation.GENERATE, "ideogram-4-6", "/v2/image/generate/ideogram-4-6",
        _fields(*GENERATE_45, _choice("background", ("auto", "transparent", "opaque"))),
        ("prompt",), JM, mask_polarity=MaskPolarity.BLACK_EDITS, structured_prompt=True,
        source="digest: not in the 2026-10-07 snapshot; the `background` field name is our guess",
    ),
    OperationSpec(
        Operation.REMIX, "ideogram-3", "/v2/image/remix/ideogram-3",
        _fields(_text("prompt"), _file("image", 50), _int("image_weight", 1, 100), _choice("aspect_ratio", ASPECTS_3),
                _choice("resolution", RESOLUTIONS_3), _choice("magic_prompt", MAGIC_PROMPT), _text("negative_prompt"),
                *RENDER, *STYLE_3, PALETTE, *COMMON),
        ("prompt", "image"), M,
    ),
    OperationSpec(
        Operation.REMIX, "ideogram-4", "/v2/image/remix/ideogram-4",
        _fields(_text("prompt"), _file("image", 50), _int("image_weight", 1, 100),
                _choice("resolution", RESOLUTIONS_4), _int("num_images", 1, 8),
                _choice("rendering_speed", RENDERING_SPEED), *COMMON),
        ("prompt", "image"), M, structured_prompt=True,
    ),
    OperationSpec(
        Operation.EDIT, "ideogram-3", "/v2/image/inpaint/ideogram-3",
        _fields(_text("prompt"), _file("image", 25), _file("mask", 25), _choice("magic_prompt", MAGIC_PROMPT),
                *RENDER, *STYLE_3, *COMMON),
        ("prompt", "image", "mask"), M, mask_polarity=MaskPolarity.BLACK_EDITS,
    ),
    OperationSpec(
        Operation.PRECISE_EDIT, "ideogram-4-5", "/v2/image/precise-edit/ideogram-4-5",
        _fields(PROMPT_45, _file("image", 50), _file("mask", 50), _file("reference_images", 50, 4),
                _text("context_window", pattern=CONTEXT_WINDOW_PATTERN), _choice("quality", QUALITY_45),
                _int("num_images", 1, 8), _int("seed", 0, MAX_SEED), *COMMON),
        ("prompt", "image"), M, mask_polarity=MaskPolarity.BLACK_EDITS, structured_prompt=True,
    ),
    OperationSpec(
        Operation.REFRAME, "ideogram-3", "/v2/image/reframe/ideogram-3",
        _fields(_file("image", 25), _choice("resolution", RESOLUTIONS_3), *RENDER, PALETTE,
                _choice("style_preset", STYLE_PRESETS), STYLE_CODES,
                _file("style_reference_images", 25, 10), _bool("async")),
        ("image", "resolution"), M,
    ),
    OperationSpec(
        Operation.REPLACE_BACKGROUND, "ideogram-3", "/v2/image/replace-background/ideogram-3",
        _fields(_text("prompt"), _file("image", 50), _int("num_images", 1, 8),
                _choice("rendering_speed", RENDERING_SPEED), _bool("private")),
        ("prompt", "image"), M, async_mode=AsyncMode.ONLY,
    ),
    OperationSpec(
        Operation.REMOVE_BACKGROUND, "ideogram-1", "/v2/image/remove-background/ideogram-1",
        _fields(_file("image", 25), _bool("private"), _bool("async")), ("image",), M,
    ),
    OperationSpec(
        Operation.REMOVE_OBJECT, "ideogram-1", "/v2/image/remove-object/ideogram-1",
        _fields(_file("image", 50), _file("mask", 50), _int("seed", 0, MAX_SEED)),
        ("image", "mask"), M, async_mode=AsyncMode.ONLY, mask_polarity=MaskPolarity.WHITE_EDITS,
    ),
    OperationSpec(
        Operation.LAYERIZE_TEXT, "ideogram-3", "/v2/design/layerize/ideogram-3",
        _fields(_file("image", 50), _text("prompt"), _int("seed", 0, MAX_SEED), _file("font_candidate_files", 5, 5),
                _bool("private"), _bool("async")),
        ("image",), M, answer=Answer.LAYERS,
    ),
    OperationSpec(
        Operation.DESCRIBE, "ideogram-3", "/v2/image/describe/ideogram-3", _fields(_file("image", 10)), ("image",), M,
        async_mode=AsyncMode.NONE, dry_run=False, answer=Answer.DESCRIBE,
    ),
    OperationSpec(
        Operation.DESCRIBE, "ideogram-4", "/v2/image/describe/ideogram-4",
        _fields(_file("image", 10), _bool("include_bbox"), _bool("include_style_descriptions"), _bool("include_tags")),
        ("image",), M, async_mode=AsyncMode.NONE, dry_run=False, answer=Answer.DESCRIBE_JSON,
    ),
    OperationSpec(
        Operation.UPSCALE, "auto", "/v2/image/upscale/auto",
        _fields(_file("image", 50), _choice("upscale_factor", UPSCALE_FACTOR), _int("seed", 0, MAX_SEED),
                _bool("private"), _bool("async")),
        ("image",), M,
    ),
    OperationSpec(
        Operation.UPSCALE, "topaz-standard-2", "/v2/image/upscale/topaz-standard-2",
        _fields(_file("image", 50), _choice("upscale_factor", UPSCALE_FACTOR), *TOPAZ, _bool("face_enhancement"),
                _choice("subject_detection", SUBJECT_DETECTION), _bool("private"), _bool("async")),
        ("image",), M,
    ),
    OperationSpec(
        Operation.UPSCALE, "topaz-text-refine", "/v2/image/upscale/topaz-text-refine",
        _fields(_file("image", 50), _choice("upscale_factor", UPSCALE_FACTOR), _int("seed", 0, MAX_SEED), *TOPAZ,
                _choice("subject_detection", SUBJECT_DETECTION), _bool("private"), _bool("async")),
        ("image",), M,
    ),
)  # fmt: skip

REGISTRY: dict[tuple[Operation, str], OperationSpec] = {spec.key: spec for spec in SPECS}
BY_PATH: dict[str, OperationSpec] = {spec.path: spec for spec in SPECS}
#: The v1 Ideogram 3.0 endpoints, addressed the same way (operation, model) with model "ideogram-3-v1".
V1_MODEL = "ideogram-3-v1"
GENERATION_PATH = "/v2/generations/{generation_id}"
MAGIC_PROMPT_V4_PATH = "/v1/ideogram-v4/magic-prompt"


def models_for(operation: Operation) -> list[str]:
    return [spec.model for spec in SPECS if spec.operation is operation]


def spec_for(operation: Operation, model: str) -> OperationSpec:
    """The entry for (operation, model), or a RequestValidationError naming the choices."""
    spec = REGISTRY.get((operation, model))
    if spec is None:
        models = models_for(operation)
        if not models:
            raise RequestValidationError("operation", f"{operation.value} has no v2 model in the studio")
        raise RequestValidationError("model", f"{model!r} does not offer {operation.value}; choose {', '.join(models)}")
    return spec


def resolve(operation: Operation, model: str) -> OperationSpec | type[ApiRequest]:
    """Address any request by (operation, model): V1_MODEL is the v1 Ideogram 3.0 request type,
    any other model its v2 registry entry."""
    if model == V1_MODEL:
        cls = BY_OPERATION.get(operation)
        if cls is None:
            raise RequestValidationError("model", f"{operation.value} has no v1 endpoint; choose a v2 model")
        return cls
    return spec_for(operation, model)
