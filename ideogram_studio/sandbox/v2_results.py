"""The sandbox's v2 pictures and answers, from a validated V2Request.

Ideogram 4.x answers with the caption it actually used: a text prompt with magic prompt on (or
auto) becomes a structured prompt here too; a structured prompt is used as sent. Pictures of a
structured prompt show it: every element's box drawn and labelled with its description, text
elements written in their box. The pixels depend on the caption, size, quality/speed and seed
only, so "reproduce" (the returned caption, magic prompt off, same seed) gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageOps

from ideogram_studio.api import structured_prompt as sp
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.limits import MAX_SEED
from ideogram_studio.api.requests import Operation
from ideogram_studio.api.v2_requests import V2Request

from . import operations
from .palettes import colours_for, to_hex
from .render import Scene, _font, draw_label, render_scene
from .results import MIN_UPSCALED_SIDE, WITHHELD_TRIGGER, Output, encode_png, magic

DEFAULT_SIZE_3 = (1024, 1024)
#: 4.x renders at its 1K size unless a resolution is asked (2K pictures are slow to draw).
DEFAULT_SIZE_4 = (1024, 1024)
UPSCALE = {"x2": 2, "x4": 4, "x8": 8}
MAX_SIDE = 4096
TRANSPARENT_TIERS = {"1k": 1, "2k": 2, "4k": 4, "8k": 4}  # 8k is drawn at 4k: a sandbox, not a renderer
FOUR_X = ("ideogram-4", "ideogram-4-5", "ideogram-4-6")


def _seed(request: V2Request) -> int:
    seed = request.values.get("seed")
    if isinstance(seed, int):
        return seed
    key = json.dumps([request.operation.value, request.model, dict(request.values)], sort_keys=True, default=str)
    files = "".join(hashlib.sha256(f.data).hexdigest() for items in request.uploads.values() for f in items)
    return int.from_bytes(hashlib.sha256((key + files).encode()).digest()[:8], "big") % (MAX_SEED + 1)


def caption_for(request: V2Request) -> tuple[str, dict[str, Any] | None]:
    """The prompt the service reports as used, and the structured caption when there is one."""
    prompt = request.json_prompt
    if prompt is not None:
        return sp.serialise(prompt), prompt
    text = str(request.values.get("prompt", ""))
    # An endpoint with no magic prompt field (4.0's remix) takes a structured prompt as it is, as the
    # service's json_prompt turns magic prompt off; a sentence it still expands.
    as_given = not request.spec.has("magic_prompt") and sp.looks_structured(text)
    if request.model in FOUR_X and not as_given and request.values.get("magic_prompt", "auto") != "off":
        caption = magic_caption(text)
        return sp.serialise(caption), caption
    if sp.looks_structured(text):
        caption = json.loads(text)
        try:
            sp.check_schema(caption)
            return text, caption
        except ValueError:
            return text, None
    return magic(text, None) if request.values.get("magic_prompt") != "off" else text, None


def magic_caption(text: str, aspect: str | None = None) -> dict[str, Any]:
    """The sandbox's magic prompt v4: a sentence → a structured caption (deterministic)."""
    palette = [to_hex(c).upper() for c in colours_for(None, text or "sandbox").colours[:4]]
    quoted = text.split('"')[1] if text.count('"') >= 2 else None
    # The subject above, quoted words as a caption line under it (a layout a designer then rearranges).
    elements: list[dict[str, Any]] = [
        {"type": "obj", "bbox": [60, 200, 700, 800], "desc": text[:200] or "a subject", "color_palette": palette[:2]}
    ]
    if quoted:
        elements.insert(0, {"type": "text", "bbox": [760, 100, 920, 900], "text": quoted, "desc": "caption lettering",
                            "color_palette": palette[2:3]})  # fmt: skip
    return {
        "high_level_description": text or "an image",
        "style_description": {
            "aesthetics": "clean, balanced", "lighting": "soft daylight", "medium": "digital illustration",
            "art_style": "flat vector", "color_palette": palette,
        },
        "compositional_deconstruction": {"background": "a simple gradient", "elements": elements},
    }  # fmt: skip


def draw_caption(img: Image.Image, caption: dict[str, Any]) -> None:
    """Each element's box outlined and labelled; a text element's text written inside its box."""
    draw = ImageDraw.Draw(img)
    w, h = img.size
    for i, element in enumerate(caption["compositional_deconstruction"]["elements"]):
        box = sp.bbox_to_pixels(element["bbox"], w, h)
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        colour = element.get("color_palette", ["#FFD600"])[0] if element.get("color_palette") else "#FFD600"
        ink = _rgb(colour, img.mode)
        draw.rectangle(box, outline=ink, width=max(1, min(w, h) // 200))
        label_font = _font(max(8, min(w, h) // 50))
        draw.text((box[0] + 4, box[1] + 2), f"{i + 1}. {element['type']}: {element['desc'][:60]}", font=label_font,
                  fill=ink)  # fmt: skip
        if element["type"] == "text" and element.get("text"):
            size = max(8, min((box[3] - box[1]) // 2, (box[2] - box[0]) // max(1, len(element["text"])) * 2))
            draw.text(((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), element["text"], font=_font(size),
                      fill=ink, anchor="mm")  # fmt: skip


def _rgb(hex_colour: str, mode: str) -> tuple[int, ...]:
    rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return (*rgb, 255) if mode == "RGBA" else rgb


def _size(request: V2Request, source: Image.Image | None) -> tuple[tuple[int, int], str | None]:
    """Pixels to draw and the upscaled_resolution to report (None: the size is the resolution)."""
    v = request.values
    for key in ("resolution", "size"):
        value = v.get(key)
        if isinstance(value, str) and "x" in value:
            a, b = value.split("x")
            return (int(a), int(b)), None
    if v.get("size") == "source" and source is not None:
        return source.size, None
    if request.operation is Operation.GENERATE_TRANSPARENT:
        aspect = str(v.get("aspect_ratio", "1x1"))
        aw, ah = (int(x) for x in aspect.split("x")) if aspect != "auto" else (1, 1)
        base = (1024 * aw // max(aw, ah) // 16 * 16, 1024 * ah // max(aw, ah) // 16 * 16)
        factor = TRANSPARENT_TIERS.get(str(v.get("output_resolution", "1k")), 1)
        if request.model == "ideogram-3":
            factor = {"x1": 1, "x2": 2, "x4": 4}[str(v.get("upscale_factor", "x1"))]
        return base, (f"{base[0] * factor}x{base[1] * factor}" if factor > 1 else None)
    return (DEFAULT_SIZE_4 if request.model in FOUR_X else DEFAULT_SIZE_3), None


def _image(request: V2Request, name: str = "image") -> Image.Image | None:
    items = request.uploads.get(name) or request.uploads.get("images") or ()
    first = items[0] if items else None
    return first.pil() if isinstance(first, ImageFile) else None


def produce_images(request: V2Request) -> list[Output]:
    v = request.values
    used, caption = caption_for(request)
    source = _image(request)
    seed0 = _seed(request)
    withheld = WITHHELD_TRIGGER in str(v.get("prompt", "")).lower()
    speed = str(v.get("quality") or v.get("rendering_speed") or "default")
    outputs: list[Output] = []
    for index in range(request.image_count()):
        seed = (seed0 + index) % (MAX_SEED + 1)
        img, reported, upscaled = _picture(request, used, caption, source, seed, speed)
        png = None if withheld and index == 0 else encode_png(img)
        outputs.append(Output(png, used, reported, seed, "general", upscaled))
    return outputs


def _picture(
    request: V2Request, used: str, caption: dict[str, Any] | None, source: Image.Image | None, seed: int, speed: str
) -> tuple[Image.Image, str, str | None]:
    op = request.operation
    # The scene key holds what decides the pixels: the caption, not the words that led to it.
    scene = Scene(prompt=used if caption is None else caption["high_level_description"],
                  caption=f"{request.model} · {speed}", colours=colours_for(None, used or op.value),
                  key=f"{request.model}|{speed}|{used}")  # fmt: skip
    if op is Operation.UPSCALE:
        assert source is not None
        factor = UPSCALE.get(str(request.values.get("upscale_factor", "x2")), 2)
        factor = max(1, min(factor, MAX_SIDE // max(source.size)))
        factor = max(factor, -(-MIN_UPSCALED_SIDE // min(source.size)))  # the contract wants ≥ 2 digits
        size = (source.width * factor, source.height * factor)
        out = operations.upscale(source, size, 50, f"{request.model} seed {seed}")
        return out, f"{source.width}x{source.height}", f"{size[0]}x{size[1]}"
    if op is Operation.REMOVE_BACKGROUND:
        assert source is not None
        out = operations.working_copy(source).convert("RGBA")
        out.putalpha(operations.subject_mask(source))
        return out, f"{source.width}x{source.height}", None
    if op in (Operation.EDIT, Operation.PRECISE_EDIT, Operation.REMOVE_OBJECT, Operation.REPLACE_BACKGROUND,
              Operation.REFRAME):  # fmt: skip
        assert source is not None
        return _edit(request, scene, source, seed), *_report(request, source)
    size, upscaled = _size(request, source)
    transparent = op is Operation.GENERATE_TRANSPARENT or request.values.get("background") == "transparent"
    img = render_scene(scene, size, seed, transparent=transparent)
    if caption is not None:
        draw_caption(img, caption)
    if op is Operation.REMIX and source is not None:
        img = operations.remix(source, img, int(request.values.get("image_weight", 50)))
    if upscaled is not None:
        a, b = upscaled.split("x")
        img = img.resize((int(a), int(b)), Image.Resampling.BICUBIC)
    return img, f"{size[0]}x{size[1]}", upscaled


def _report(request: V2Request, source: Image.Image) -> tuple[str, str | None]:
    if request.operation is Operation.REFRAME:
        return str(request.values["resolution"]), None
    return f"{source.width}x{source.height}", None


def _edit(request: V2Request, scene: Scene, source: Image.Image, seed: int) -> Image.Image:
    op = request.operation
    if op is Operation.REFRAME:
        a, b = str(request.values["resolution"]).split("x")
        return operations.reframe(source, (int(a), int(b)))
    fresh = render_scene(scene, source.size, seed)
    if op is Operation.REPLACE_BACKGROUND:
        return operations.replace_background(source, fresh)
    mask_file = (request.uploads.get("mask") or (None,))[0]
    mask = mask_file.pil().convert("L") if isinstance(mask_file, ImageFile) else Image.new("L", source.size, 0)
    if op is Operation.REMOVE_OBJECT:
        # Remove object's mask is the other way round (white = remove): the same fill, inverted mask.
        mask = ImageOps.invert(mask)
    window = request.values.get("context_window")
    if isinstance(window, str) and window != "auto":
        # Precise Edit: pixels outside the window come back unchanged (white = keep).
        y0, x0, y1, x1 = (int(p) for p in window.split(","))
        outside = Image.new("L", source.size, 255)
        outside.paste(0, (x0, y0, x1, y1))
        mask = Image.composite(Image.new("L", source.size, 255), mask, outside)
    return operations.inpaint(source, mask, fresh)


def produce_description(request: V2Request) -> dict[str, Any]:
    source = _image(request)
    assert source is not None
    text = operations.describe(source)
    if request.model == "ideogram-3":
        return {"descriptions": [{"text": text}]}
    palette = [to_hex(c).upper() for c in operations.dominant_colours(source)][:4]
    caption = {
        "high_level_description": text,
        "style_description": {"aesthetics": "as found", "lighting": "as found", "medium": "image",
                              "art_style": "unknown", "color_palette": palette},
        "compositional_deconstruction": {
            "background": f"mostly {operations.colour_name(operations.dominant_colours(source)[0])}",
            "elements": [{"type": "obj", "bbox": [100, 100, 900, 900], "desc": "the main subject"}],
        },
    }  # fmt: skip
    answer: dict[str, Any] = {"json_prompt": caption}
    if request.values.get("include_tags"):
        answer["tags"] = sorted({operations.colour_name(c) for c in operations.dominant_colours(source)})
    return answer


def produce_layers(request: V2Request, link: Any) -> dict[str, Any]:
    """One heading "detected" across the top (the sandbox cannot read text), erased in the base.
    With candidate fonts, the match is the first candidate's name."""
    source = _image(request)
    assert source is not None
    w, h = source.size
    box = (w // 10, h // 12, w - w // 10, h // 12 + max(1, h // 8))
    fonts = request.uploads.get("font_candidate_files") or ()
    font_name = Path(fonts[0].filename).stem if fonts else "Aileron"
    block = {
        "x": box[0], "y": box[1], "width": box[2] - box[0], "height": box[3] - box[1],
        "text": str(request.values.get("prompt") or "SANDBOX")[:120], "alignment": "center", "angle": 0.0,
        "font_name": font_name, "font_alternatives": [Path(f.filename).stem for f in fonts[1:]] or ["Inter"],
        "font_size": max(6, (box[3] - box[1]) * 3 // 4), "line_height": 1.2,
        "color": operations.contrasting_hex(source.crop(box)), "formatting": [], "role": "heading",
    }  # fmt: skip
    base = operations.erase_text_block(source, box)
    draw_label(base)
    return {
        "base_image_url": link(encode_png(base)),
        "original_image_url": link(encode_png(operations.working_copy(source))),
        "seed": _seed(request),
        "text_blocks": [block],
    }
