"""A v2 request: (operation, model) plus field values and files, checked against the registry.

One type serves every entry of api/registry.py, so a new model is a table row, not a class. Values
are JSON values named as the API names them. One pseudo-field is the studio's own: `json_prompt`,
the Ideogram 4.x structured prompt; it is sent as the `prompt` text with magic prompt off, and
never together with a text prompt. `private` is always sent as true where the field exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal

from . import context_window as cw
from . import structured_prompt as sp
from .errors import ImageFileError, RequestValidationError
from .images import ImageFile
from .limits import MB, REQUEST_TOTAL
from .palette import ColorPalette
from .registry import Answer, AsyncMode, FieldKind, FieldSpec, MaskPolarity, OperationSpec, spec_for
from .requests import Operation

JSON_PROMPT = "json_prompt"
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
#: Operations the studio always runs asynchronously when the model allows it (they are long).
LONG_OPERATIONS = frozenset({Operation.UPSCALE, Operation.PRECISE_EDIT})
#: Requests of this many images or more go async too.
LONG_IMAGE_COUNT = 4
SLOW_SETTINGS = {("quality", "high"), ("rendering_speed", "quality")}

Body = tuple[Literal["json"], dict[str, Any]] | tuple[Literal["multipart"], list[tuple[str, Any]]]


@dataclass(frozen=True, repr=False)
class FontFile:
    """A font offered to layerize as a candidate (not an image: only its name and size are checked)."""

    data: bytes
    filename: str
    mime: str

    def __repr__(self) -> str:
        return f"FontFile({self.filename!r}, {len(self.data)} B)"

    @property
    def upload_name(self) -> str:
        """A font's name is what it is (the service may show it); images get a neutral one."""
        return self.filename

    @classmethod
    def from_bytes(cls, data: bytes, filename: str) -> FontFile:
        mime = FONT_TYPES.get(Path(filename).suffix.lower())
        if mime is None:
            raise ImageFileError(f"{filename} is not a font file (.ttf, .otf, .woff or .woff2).")
        if not data:
            raise ImageFileError(f"{filename} is empty.")
        return cls(data, filename, mime)

    @classmethod
    def from_path(cls, path: str | Path) -> FontFile:
        path = Path(path)
        try:
            return cls.from_bytes(path.read_bytes(), path.name)
        except OSError as exc:
            raise ImageFileError(f"The font {path.name} cannot be read ({exc.strerror}).") from None

    def megabytes(self) -> float:
        return len(self.data) / MB


Upload = ImageFile | FontFile


@dataclass(frozen=True, eq=False)
class V2Request:
    operation: Operation
    model: str
    values: Mapping[str, Any] = field(default_factory=dict)
    uploads: Mapping[str, tuple[Upload, ...]] = field(default_factory=dict)

    api_version: ClassVar[str] = "v2"

    def __repr__(self) -> str:
        return f"V2Request({self.operation.value}, {self.model}, {sorted(self.values)}, files={sorted(self.uploads)})"

    # ---- what the queue and the client ask of every request -------------------------------
    @cached_property
    def spec(self) -> OperationSpec:
        # Looked up once per request: validate, body and quote ask for it many times.
        return spec_for(self.operation, self.model)

    @property
    def endpoint(self) -> str:
        return self.spec.path

    @property
    def returns_images(self) -> bool:
        return self.spec.answer is Answer.IMAGES

    @property
    def has_character_reference(self) -> bool:
        return False

    @property
    def json_prompt(self) -> dict[str, Any] | None:
        value = self.values.get(JSON_PROMPT)
        return value if isinstance(value, dict) else None

    def image_count(self) -> int:
        n = self.values.get("num_images")
        return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 1

    def files(self) -> dict[str, list[Upload]]:
        return {name: list(items) for name, items in self.uploads.items() if items}

    def fields_json(self) -> dict[str, Any]:
        return dict(self.values)

    @property
    def wants_async(self) -> bool:
        """Send with `async` and poll: the model is async-only, or the request is long."""
        mode = self.spec.async_mode
        if mode is AsyncMode.ONLY:
            return True
        if mode is AsyncMode.NONE or not self.spec.has("async"):
            return False
        slow = any(self.values.get(k) == v for k, v in SLOW_SETTINGS)
        return self.operation in LONG_OPERATIONS or self.image_count() >= LONG_IMAGE_COUNT or slow

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def build(
        cls, operation: Operation | str, model: str, values: Mapping[str, Any] | None = None,
        uploads: Mapping[str, Upload | list[Upload] | tuple[Upload, ...]] | None = None,
    ) -> V2Request:  # fmt: skip
        """Coerce values (JSON values or form strings) to each field's kind; unknown names refused."""
        op = Operation(operation)
        spec = spec_for(op, model)
        coerced: dict[str, Any] = {}
        for name, raw in (values or {}).items():
            if name == JSON_PROMPT:
                coerced[name] = _json_prompt_value(raw) if spec.structured_prompt else _not_structured(spec)
                continue
            fs = spec.fields.get(name)
            if fs is None or fs.is_file:
                raise RequestValidationError(name, f"is not a field of {spec.path}")
            coerced[name] = _coerce(fs, raw)
        files: dict[str, tuple[Upload, ...]] = {}
        for name, items in (uploads or {}).items():
            fs = spec.fields.get(name)
            if fs is None or not fs.is_file:
                raise RequestValidationError(name, f"is not a file field of {spec.path}")
            files[name] = tuple(items) if isinstance(items, list | tuple) else (items,)
        return cls(op, model, coerced, files)

    # ---- validation -----------------------------------------------------------------------
    def validate(self) -> None:
        """Raise RequestValidationError naming the first field that breaks a rule."""
        spec = self.spec
        has_text = isinstance(self.values.get("prompt"), str) and bool(self.values["prompt"].strip())
        if JSON_PROMPT in self.values:
            if not spec.structured_prompt:
                _not_structured(spec)
            if "prompt" in self.values:
                raise RequestValidationError(JSON_PROMPT, "give a text prompt or a structured prompt, not both")
            sp.check_schema(self.values[JSON_PROMPT])
        for name in spec.required:
            if name == "prompt" and JSON_PROMPT in self.values:
                continue
            if spec.fields[name].is_file:
                if not self.uploads.get(name):
                    raise RequestValidationError(name, "is required")
            elif (name == "prompt" and not has_text) or self.values.get(name) is None:
                raise RequestValidationError(name, "is required")
        for name, value in self.values.items():
            if name != JSON_PROMPT:
                _check_value(spec.fields[name], value)
        limit = spec.fields["prompt"].max_length if spec.has("prompt") else None
        prompt = self.json_prompt
        if prompt is not None and limit is not None and len(sp.serialise(prompt)) > limit:
            raise RequestValidationError(JSON_PROMPT, f"is longer than {limit} characters once written out")
        self._check_files(spec)
        self._check_rules(spec)

    def advice(self) -> list[sp.Advice]:
        """Warnings that do not block sending (the caption verifier's findings)."""
        prompt = self.json_prompt
        return [] if prompt is None else sp.advice(prompt)

    def _check_files(self, spec: OperationSpec) -> None:
        total = 0
        for name, items in self.uploads.items():
            fs = spec.fields[name]
            if len(items) > fs.max_count:
                raise RequestValidationError(name, f"takes at most {fs.max_count} file{'s' * (fs.max_count > 1)}")
            for f in items:
                want_font = name == "font_candidate_files"
                if want_font != isinstance(f, FontFile):
                    raise RequestValidationError(name, "takes font files" if want_font else "takes image files")
                total += len(f.data)
                if fs.max_bytes is not None and len(f.data) > fs.max_bytes:
                    raise RequestValidationError(
                        name, f"{f.filename} is {f.megabytes():.1f} MB; the limit is {fs.max_bytes // MB} MB"
                    )
        if total > REQUEST_TOTAL:
            raise RequestValidationError("request", f"all files together are {total / MB:.1f} MB; the limit is 50 MB")

    def _check_rules(self, spec: OperationSpec) -> None:
        v = self.values
        if v.get("resolution") is not None and v.get("aspect_ratio") is not None:
            raise RequestValidationError("resolution", "give a resolution or an aspect ratio, not both")
        codes, refs = v.get("style_codes") or [], self.uploads.get("style_reference_images") or ()
        if codes and v.get("style_type") is not None:
            raise RequestValidationError("style_codes", "cannot be combined with a style type")
        if codes and refs:
            raise RequestValidationError("style_codes", "cannot be combined with style reference images")
        if v.get("style_preset") is not None and (codes or refs):
            raise RequestValidationError("style_preset", "cannot be combined with style codes or style references")
        images = self.uploads.get("images") or ()
        if v.get("size") == "source" and not images:
            raise RequestValidationError("size", '"source" needs source images')
        mask = self.uploads.get("mask")
        source = (self.uploads.get("image") or images or (None,))[0]
        if mask:
            if not isinstance(source, ImageFile):
                raise RequestValidationError("mask", "needs the source image in the same request")
            _check_mask(mask[0], source, spec.mask_polarity)
        if self.operation is Operation.PRECISE_EDIT:
            references = self.uploads.get("reference_images") or ()
            if mask and len(references) > 3:
                raise RequestValidationError("reference_images", "with a mask, at most 3 reference images")
            window = v.get("context_window")
            if window is not None:
                assert isinstance(source, ImageFile)
                _check_window(window, source, has_mask=bool(mask))

    # ---- wire format ----------------------------------------------------------------------
    def wire_values(self, *, send_async: bool) -> dict[str, Any]:
        """What goes on the wire: the structured prompt as `prompt` text with magic prompt off,
        `private` true wherever the field exists, `async` as asked where the field exists."""
        spec = self.spec
        out = {k: v for k, v in self.values.items() if k != JSON_PROMPT}
        prompt = self.json_prompt
        if prompt is not None:
            out["prompt"] = sp.serialise(prompt)
            if spec.has("magic_prompt"):
                out["magic_prompt"] = "off"
        if spec.has("private"):
            out["private"] = True
        if spec.has("async"):
            if send_async:
                out["async"] = True
            else:
                out.pop("async", None)
        return out

    def body(self, *, send_async: bool = False) -> Body:
        """A JSON object when the model takes JSON and nothing is a file, else multipart parts."""
        values = self.wire_values(send_async=send_async)
        if not any(self.uploads.values()) and "json" in self.spec.bodies:
            return "json", values
        parts: list[tuple[str, Any]] = []
        for name, value in values.items():
            fs = self.spec.fields[name]
            if fs.kind is FieldKind.PALETTE:
                parts.append((name, (None, json.dumps(value, separators=(",", ":")).encode(), "application/json")))
            elif isinstance(value, list):
                parts.extend((name, (None, str(item).encode())) for item in value)
            else:
                parts.append((name, (None, _form_text(value).encode())))
        for name, items in self.uploads.items():
            parts.extend((name, (f.upload_name, f.data, f.mime)) for f in items)
        return "multipart", parts


# ---- helpers ------------------------------------------------------------------------------------
def _not_structured(spec: OperationSpec) -> Any:
    raise RequestValidationError(JSON_PROMPT, f"{spec.model} takes a text prompt only (structured prompts are 4.x)")


def _json_prompt_value(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        return sp.parse(raw)
    sp.check_schema(raw)
    assert isinstance(raw, dict)
    return raw


def _form_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _coerce(fs: FieldSpec, raw: Any) -> Any:
    """A JSON value or a form string → the field's kind (range and choice checks come later)."""
    name, kind = fs.name, fs.kind
    if kind is FieldKind.TEXT or kind is FieldKind.CHOICE:
        if not isinstance(raw, str):
            raise RequestValidationError(name, f"must be text (got {raw!r})")
        return raw
    if kind is FieldKind.INTEGER:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"-?\d{1,12}", raw.strip()):
            return int(raw)
        raise RequestValidationError(name, f"must be a whole number (got {raw!r})")
    if kind is FieldKind.NUMBER:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return raw
        try:
            return float(raw) if isinstance(raw, str) and raw.strip() else _bad_number(name, raw)
        except ValueError:
            return _bad_number(name, raw)
    if kind is FieldKind.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return raw == "true"
        raise RequestValidationError(name, f"must be true or false (got {raw!r})")
    if kind is FieldKind.CODES:
        items = raw if isinstance(raw, list | tuple) else [raw]
        if not all(isinstance(i, str) for i in items):
            raise RequestValidationError(name, "must be a list of codes")
        return list(items)
    if kind is FieldKind.PALETTE:
        return ColorPalette.from_json(raw, name).to_json()
    raise RequestValidationError(name, "is a file field")


def _bad_number(name: str, raw: Any) -> Any:
    raise RequestValidationError(name, f"must be a number (got {raw!r})")


def _check_value(fs: FieldSpec, value: Any) -> None:
    name = fs.name
    if fs.kind is FieldKind.CHOICE and value not in fs.choices:
        shown = ", ".join(fs.choices[:12]) + (", …" if len(fs.choices) > 12 else "")
        raise RequestValidationError(name, f"{value!r} is not one of {shown}")
    too_low = fs.minimum is not None and value < fs.minimum
    too_high = fs.maximum is not None and value > fs.maximum
    if fs.kind in (FieldKind.INTEGER, FieldKind.NUMBER) and (too_low or too_high):
        raise RequestValidationError(name, f"must be between {fs.minimum:g} and {fs.maximum:g} (got {value})")
    if fs.kind is FieldKind.TEXT:
        if fs.max_length is not None and len(value) > fs.max_length:
            raise RequestValidationError(name, f"is longer than {fs.max_length} characters")
        if fs.pattern is not None and not re.fullmatch(fs.pattern, value):
            raise RequestValidationError(name, f"{value!r} is not in the expected form")
    if fs.kind is FieldKind.CODES and fs.pattern is not None:
        for code in value:
            if not re.fullmatch(fs.pattern, code):
                raise RequestValidationError(name, f"{code!r} is not 8 hexadecimal characters")


def _check_mask(mask: Upload, source: ImageFile, polarity: MaskPolarity | None) -> None:
    if not isinstance(mask, ImageFile):
        raise RequestValidationError("mask", "must be an image")
    if mask.size != source.size:
        raise RequestValidationError(
            "mask", f"is {mask.width}×{mask.height} but the image is {source.width}×{source.height}"
        )
    lo, hi = mask.grey_extrema()
    edit_black = polarity is not MaskPolarity.WHITE_EDITS
    marks_nothing = lo > 127 if edit_black else hi <= 127
    marks_all = hi <= 127 if edit_black else lo > 127
    if marks_nothing:
        raise RequestValidationError("mask", "marks nothing to change (paint the area to edit)")
    if marks_all:
        raise RequestValidationError("mask", "marks the whole image; leave some of it to keep")


def _check_window(window: str, source: ImageFile, *, has_mask: bool) -> None:
    broken = cw.field_rule(window, source.width, source.height, has_mask=has_mask)
    if broken is not None:
        raise RequestValidationError("context_window", broken.sentence)
