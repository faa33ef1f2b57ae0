"""What the gallery records about an image, and how index columns are derived from it.

The metadata is one JSON object. Results carry it inside the PNG (`iTXt` chunk keyword
`ideogram-studio`); inputs, imports and non-PNG results carry it in their sidecar (see
annotations.py). Its shape, by `kind`:

- `result`: `operation`, `request` (the request's JSON fields, no files), `response` (seed,
  resolution, prompt as used, is_image_safe, style_type), `lineage` (list of `{hash, role}`:
  role is the request's file field: `image`, `mask`, `style_reference_images`, ...), `job_id`,
  `created_at`, `app_version`.
- `input`: `role` (the request field it was first given as), `filename`, `created_at`.
- `import`: `tool` (`a1111`, `comfyui`, `invokeai`, `novelai` or null), `prompt`,
  `negative_prompt`, `seed`, `chunks` (the text chunks as found), `filename`, `created_at`.

An API key never enters metadata: `check_no_secrets` refuses any object with a key named like
one (api_key, Api-Key, X-Api-Key, authorization, ...), at any depth.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ideogram_studio import __version__

from ..api.enums import AspectRatio
from ..api.metadata_strip import STUDIO_KEYWORD
from ..api.structured_prompt import serialise
from ._util import normalise_iso, now_iso
from .errors import SecretInMetadataError

#: Keyword of our iTXt chunk (defined with the metadata stripper, which keeps it).
KEYWORD = STUDIO_KEYWORD
SCHEMA = 1
KIND_RESULT = "result"
KIND_INPUT = "input"
KIND_IMPORT = "import"
#: `operation` column of inputs and imports (results use the API's Operation values).
OP_INPUT = "input"
OP_IMPORT = "import"

_SECRET_NAMES = {"apikey", "xapikey", "authorization", "proxyauthorization", "bearer", "password"}
_NON_ALNUM = re.compile(r"[^a-z0-9]")
#: Response fields kept (the download URL is not: it expires and means nothing later).
RESPONSE_FIELDS = (
    "seed", "resolution", "upscaled_resolution", "prompt", "is_image_safe", "style_type",
    # v2 (Ideogram 4.x): enough to reproduce it and to rebuild the index from the file.
    "api", "model", "generation_id", "private", "billing_identifier",
    # A batch run's name and row (batch/plan.py), so "this batch" survives an index rebuild.
    "batch", "batch_row",
    # Layerize: the text blocks found on the (text-free) base image, for layered PSD/SVG export.
    "text_blocks",
)  # fmt: skip


def _is_secret_name(key: str) -> bool:
    k = _NON_ALNUM.sub("", key.lower())
    return k in _SECRET_NAMES or "apikey" in k or k.endswith("secret") or k.endswith("accesstoken")


def find_secret_keys(obj: Any, path: str = "") -> list[str]:
    """Paths of every key named like a credential, at any depth."""
    found: list[str] = []
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            p = f"{path}.{k}" if path else str(k)
            if isinstance(k, str) and _is_secret_name(k):
                found.append(p)
            found.extend(find_secret_keys(v, p))
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            found.extend(find_secret_keys(v, f"{path}[{i}]"))
    return found


def check_no_secrets(obj: Any, what: str = "metadata") -> None:
    """Refuse (SecretInMetadataError) any object carrying a key named like an API key."""
    found = find_secret_keys(obj)
    if found:
        # Name the field, never its value.
        raise SecretInMetadataError(
            f"Refusing to store {what}: it contains a field named like a credential ({found[0]}). "
            "API keys must never be written into images or the gallery."
        )


def redact_secrets(obj: Any) -> Any:
    """A copy with credential-named keys removed (for metadata other tools wrote)."""
    if isinstance(obj, Mapping):
        return {k: redact_secrets(v) for k, v in obj.items() if not (isinstance(k, str) and _is_secret_name(k))}
    if isinstance(obj, list | tuple):
        return [redact_secrets(v) for v in obj]
    return obj


@dataclass(frozen=True)
class LineageLink:
    """One parent of an image: its hash, the request field it was given as, the operation."""

    parent: str
    child: str
    role: str
    operation: str | None = None


def result_metadata(
    *,
    operation: str,
    request_fields: Mapping[str, Any],
    response_fields: Mapping[str, Any],
    lineage: Sequence[tuple[str, str]] = (),
    job_id: str | None = None,
    created_at: str | None = None,
    input_colour: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    # Checked as given, even fields we would drop: a key in there is a bug worth stopping.
    check_no_secrets({"request": request_fields, "response": response_fields}, "the image's metadata")
    meta: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": KIND_RESULT,
        "app": "Ideogram Studio",
        "app_version": __version__,
        "created_at": created_at or now_iso(),
        "operation": str(operation),
        "job_id": job_id,
        "request": dict(request_fields),
        "response": {k: response_fields[k] for k in RESPONSE_FIELDS if k in response_fields},
        "lineage": [{"hash": h, "role": r} for h, r in lineage],
    }
    # What became of the inputs' colour profiles (converted to sRGB, or sent as they were), by
    # form field: the inputs are stored converted, so this is where the original profile is said.
    colour = {str(k): [str(n) for n in v] for k, v in (input_colour or {}).items() if any(v)}
    if colour:
        meta["input_colour"] = colour
    check_no_secrets(meta)
    return meta


def input_metadata(role: str, *, filename: str | None = None, created_at: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": KIND_INPUT,
        "role": role,
        "filename": filename,
        "created_at": created_at or now_iso(),
        "app_version": __version__,
    }
    check_no_secrets(meta)
    return meta


# ---- index columns -----------------------------------------------------------------------------


@dataclass
class IndexFields:
    """The searchable columns of one image, derived from its metadata and pixel size."""

    created_at: str
    operation: str | None = None
    source: str | None = None
    prompt: str | None = None
    prompt_used: str | None = None
    negative_prompt: str | None = None
    style_type: str | None = None
    style_preset: str | None = None
    palette: str | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    seed: int | None = None
    rendering_speed: str | None = None
    job_id: str | None = None
    is_input: bool = False
    lineage: list[tuple[str, str]] = field(default_factory=list)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
        return int(value)
    return None


_RATIOS = [(int(a.value.split("x")[0]) / int(a.value.split("x")[1]), a.value) for a in AspectRatio]


def nearest_aspect_ratio(width: int, height: int, tolerance: float = 0.03) -> str | None:
    """The API's aspect ratio closest to width:height, if within `tolerance` (relative)."""
    if width <= 0 or height <= 0:
        return None
    r = width / height
    best = min(_RATIOS, key=lambda item: abs(item[0] - r))
    return best[1] if abs(best[0] - r) / best[0] <= tolerance else None


def palette_label(palette: Any) -> str | None:
    """A palette preset's name, 'custom' for custom colours, None when there is no palette."""
    if isinstance(palette, Mapping):
        if palette.get("name"):
            return str(palette["name"])
        if palette.get("members"):
            return "custom"
    if isinstance(palette, str) and palette:
        return palette
    return None


def index_fields(meta: Mapping[str, Any], width: int, height: int, fallback_time: str) -> IndexFields:
    """Columns for the index from any metadata shape (result, input, import, unknown)."""
    kind = meta.get("kind")
    created = normalise_iso(_str(meta.get("created_at"))) or fallback_time
    size = f"{width}x{height}"
    if kind == KIND_RESULT:
        req: Mapping[str, Any] = meta.get("request") or {}
        resp: Mapping[str, Any] = meta.get("response") or {}
        prompt = _str(req.get("prompt"))
        structured = req.get("json_prompt")
        if prompt is None and isinstance(structured, Mapping):  # a 4.x structured prompt is the prompt
            prompt = serialise(dict(structured))
        used = _str(resp.get("prompt"))
        lineage = [
            (str(item["hash"]), str(item.get("role") or "image"))
            for item in meta.get("lineage") or []
            if isinstance(item, Mapping) and isinstance(item.get("hash"), str)
        ]
        return IndexFields(
            created_at=created,
            operation=_str(meta.get("operation")),
            source="ideogram-studio",
            prompt=prompt,
            prompt_used=used if used != prompt else None,
            negative_prompt=_str(req.get("negative_prompt")),
            style_type=_str(resp.get("style_type")) or _str(req.get("style_type")),
            style_preset=_str(req.get("style_preset")),
            palette=palette_label(req.get("color_palette")),
            aspect_ratio=_str(req.get("aspect_ratio")) or nearest_aspect_ratio(width, height),
            resolution=_str(resp.get("upscaled_resolution")) or _str(resp.get("resolution")) or size,
            seed=_int(resp.get("seed")) if _int(resp.get("seed")) is not None else _int(req.get("seed")),
            rendering_speed=_str(req.get("rendering_speed")),
            job_id=_str(meta.get("job_id")),
            lineage=lineage,
        )
    if kind == KIND_INPUT:
        return IndexFields(
            created_at=created,
            operation=OP_INPUT,
            source="input",
            aspect_ratio=nearest_aspect_ratio(width, height),
            resolution=size,
            is_input=True,
        )
    return IndexFields(
        created_at=created,
        operation=OP_IMPORT,
        source=_str(meta.get("tool")),
        prompt=_str(meta.get("prompt")),
        negative_prompt=_str(meta.get("negative_prompt")),
        aspect_ratio=nearest_aspect_ratio(width, height),
        resolution=size,
        seed=_int(meta.get("seed")),
    )
