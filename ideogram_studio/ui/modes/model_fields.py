"""Which model a mode's form sends to, which of its fields that model takes, and why not (no Qt).

A mode panel keeps one set of widgets for all its models: choosing a model hides the rows the model
does not take (each with the reason, see `unavailable`), so switching back and forth keeps what the
designer typed in every field both models share. The v1 Ideogram 3.0 request stays the form's own
type; a v2 model's request is built here from the same form values (`v2_values`), names and enums
as the v2 API spells them (lowercase), checked against api/registry.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from ...api.enums import human_name
from ...api.registry import V1_MODEL, spec_for
from ...api.requests import Operation


class ModelChoice(NamedTuple):
    model: str
    name: str


#: The models each mode offers, in the picker's order (the first is the default). A mode with one
#: model shows no picker.
MODELS: dict[Operation, tuple[ModelChoice, ...]] = {
    Operation.GENERATE: (
        ModelChoice(V1_MODEL, "Ideogram 3.0"),
        ModelChoice("ideogram-4", "Ideogram 4.0"),
        ModelChoice("ideogram-4-5", "Ideogram 4.5"),
        ModelChoice("ideogram-4-6", "Ideogram 4.6"),
    ),
    Operation.REMIX: (ModelChoice(V1_MODEL, "Ideogram 3.0"), ModelChoice("ideogram-4", "Ideogram 4.0")),
    # Edit's choices are operations as much as models: Precise Edit and remove object have their own
    # endpoints (see EDIT_TARGETS); the canvas and its painting serve all three.
    Operation.EDIT: (
        ModelChoice(V1_MODEL, "Ideogram 3.0 (inpaint)"),
        ModelChoice("ideogram-4-5", "Precise Edit 4.5"),
        ModelChoice("ideogram-1", "Remove object"),
    ),
    # The Background mode replaces the background (3.0) or removes it: a cut-out on transparency.
    Operation.REPLACE_BACKGROUND: (
        ModelChoice(V1_MODEL, "Replace · Ideogram 3.0"),
        ModelChoice("ideogram-1", "Remove background"),
    ),
}
#: Edit's picker: which endpoint each choice sends to.
EDIT_TARGETS = {"ideogram-4-5": Operation.PRECISE_EDIT, "ideogram-1": Operation.REMOVE_OBJECT}
#: The Background mode's picker: the same.
BACKGROUND_TARGETS = {"ideogram-1": Operation.REMOVE_BACKGROUND}
#: Why the Background mode's rows go when it removes the background.
ONLY_THE_IMAGE = "Remove background takes only the image: it cuts the subject out onto transparency."
#: Form fields (v1 names) the v2 field of the same name carries over to, value converted.
SHARED = ("negative_prompt", "aspect_ratio", "magic_prompt", "rendering_speed", "num_images", "seed", "image_weight")
#: The form's own fields that only some v2 models take (not in the v1 request).
V2_ONLY = ("quality",)


#: Why a model cannot make a transparent image (the checkbox is disabled with this tooltip).
NO_TRANSPARENCY = "Ideogram 4.5 makes no transparent images: choose 4.6, 4.0 or 3.0."


class Target(NamedTuple):
    """Where a form's request goes: the v2 (operation, model), plus values the choice implies."""

    operation: Operation
    model: str
    extra: dict[str, Any]


def target(operation: Operation, model: str, transparent: bool = False) -> Target | None:
    """The endpoint for the form's model and its Transparent box; None: that model cannot."""
    if operation is Operation.EDIT and model in EDIT_TARGETS:
        return Target(EDIT_TARGETS[model], model, {})
    if operation is Operation.REPLACE_BACKGROUND and model in BACKGROUND_TARGETS:
        return Target(BACKGROUND_TARGETS[model], model, {})
    if not transparent or operation is not Operation.GENERATE:
        return Target(operation, model, {})
    if model == V1_MODEL:
        return Target(Operation.GENERATE_TRANSPARENT, "ideogram-3", {})
    if model == "ideogram-4":
        return Target(Operation.GENERATE_TRANSPARENT, "ideogram-4", {})
    if model == "ideogram-4-6":
        return Target(operation, model, {"background": "transparent"})
    return None


def takes_structured(goal: Target | None) -> bool:
    """The endpoint takes Ideogram 4's structured (JSON) prompt."""
    return goal is not None and goal.model != V1_MODEL and spec_for(goal.operation, goal.model).structured_prompt


def model_name(operation: Operation, model: str, transparent: bool = False) -> str:
    name = next((c.name for c in MODELS.get(operation, ()) if c.model == model), model)
    return f"{name} (transparent)" if transparent else name


def unavailable(
    operation: Operation, model: str, form_names: Iterable[str], transparent: bool = False
) -> dict[str, str]:
    """Form field → why the model does not take it (fields it takes are absent)."""
    names = list(dict.fromkeys([*form_names, *V2_ONLY]))
    goal = target(operation, model, transparent) or target(operation, model)
    assert goal is not None
    if goal.model == V1_MODEL:
        return {n: f"{_quality_owner()} only: Ideogram 3.0 uses Speed." for n in V2_ONLY if n in names}
    spec = spec_for(goal.operation, goal.model)
    if goal.operation is Operation.REMOVE_BACKGROUND:
        return {n: ONLY_THE_IMAGE for n in names if n not in spec.fields and n not in V2_ONLY}
    who = model_name(operation, model, transparent and goal.operation is not operation)
    out: dict[str, str] = {}
    for name in names:
        if name in spec.fields and (name in SHARED or name in V2_ONLY):
            continue
        out[name] = _why(name, who, spec.fields)
    return out


def v2_values(
    operation: Operation, model: str, prompt: str, form: Mapping[str, Any], transparent: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """The v2 values for the model (and Transparent box) from the form's values, and the fields
    that cannot be sent as set (field → the sentence to show at it)."""
    goal = target(operation, model, transparent) or target(operation, model)
    assert goal is not None
    spec = spec_for(goal.operation, goal.model)
    values: dict[str, Any] = {**({"prompt": prompt} if "prompt" in spec.fields else {}), **goal.extra}
    problems: dict[str, str] = {}
    if form.get("resolution") is not None and "resolution" not in spec.fields and "aspect_ratio" in spec.fields:
        problems["resolution"] = (
            f"{model_name(operation, model, transparent)} takes an aspect ratio, not an exact size: "
            "set Exact size to not set."
        )
    for name in (*SHARED, *V2_ONLY):
        raw = form.get(name)
        if raw is None or name not in spec.fields:
            continue
        value = raw.value.lower() if isinstance(raw, StrEnum) else raw
        choices = spec.fields[name].choices
        if choices and value not in choices:
            shown = human_name(raw) if isinstance(raw, StrEnum) else str(value)
            offered = ", ".join(c.replace("_", " ") for c in choices)
            problems[name] = f"{shown} is not offered by {model_name(operation, model)}; choose {offered}."
            continue
        values[name] = value
    return values, problems


def _quality_owner() -> str:
    return "Quality is an Ideogram 4.5 / 4.6 setting"


def _why(name: str, who: str, fields: Mapping[str, Any]) -> str:
    if name == "negative_prompt":
        return f"{who} takes no negative prompt: say what you want instead (e.g. \u201csharp focus\u201d)."
    if name == "rendering_speed" and "quality" in fields:
        return f"{who} is set by Quality, not Speed."
    if name == "quality":
        return f"{_quality_owner()}: {who} uses Speed." if "rendering_speed" in fields else f"{_quality_owner()}."
    if name in ("aspect_ratio", "resolution") and ("size" in fields or "resolution" in fields):
        return f"{who} has its own sizes: choose one under Size, by the model."
    if name in ("aspect_ratio", "resolution"):
        return f"{who} takes no size: the service picks it (or the source's)."
    if name in ("style_type", "style_preset", "color_palette", "style_codes"):
        return f"{who} takes no style type, preset, palette or codes: describe the style in the prompt."
    if name == "style_reference_images":
        return f"{who} takes no style references."
    if name in ("character_reference_images", "character_reference_images_mask"):
        return "Character references are an Ideogram 3.0 feature."
    if name == "custom_model_uri":
        return "Custom models are an Ideogram 3.0 feature."
    return f"{who} does not take {name.replace('_', ' ')}."
