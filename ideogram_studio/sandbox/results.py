"""From a validated request to finished results: seeds, magic prompts, sizes and PNG bytes.

Everything here is synchronous and CPU-bound; the app runs it in a worker thread. The pixels are a
function of the request's fields, its files and the seed, nothing else: the same request with the
same seed gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ideogram_studio.api.enums import (
    MagicPrompt,
    Resolution,
    StyleType,
    UpscaleFactor,
    default_resolution,
    size_of,
)
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.limits import MAX_SEED
from ideogram_studio.api.requests import (
    ApiRequest,
    DescribeRequest,
    EditRequest,
    GenerateRequest,
    GenerateTransparentRequest,
    LayerizeTextRequest,
    Operation,
    ReframeRequest,
    RemixRequest,
    ReplaceBackgroundRequest,
    UpscaleRequest,
)

from . import operations
from .palettes import colours_for
from .render import Scene, render_scene

#: Prompt triggers for tests: a prompt containing one of these is refused (422) or its first
#: image withheld (is_image_safe false, url null; still "billed").
UNSAFE_TRIGGER = "[unsafe]"
WITHHELD_TRIGGER = "[withheld]"
#: Upscale doubles the size, but never beyond this many pixels on the longer side.
MAX_UPSCALED_SIDE = 4096
MIN_UPSCALED_SIDE = 16
DEFAULT_IMAGE_WEIGHT = 50
DEFAULT_DETAIL = 50
UPSCALE_FACTORS = {UpscaleFactor.X1: 1, UpscaleFactor.X2: 2, UpscaleFactor.X4: 4}
#: What "magic prompt" adds, picked by the prompt's hash.
FLOURISHES = (
    "soft natural light, balanced composition, crisp detail",
    "bold colours, graphic shapes, clean background",
    "gentle gradients, calm mood, shallow depth of field",
    "high contrast, dramatic lighting, rich texture",
)
#: A style type of AUTO resolves to one of these, by seed.
AUTO_STYLES = (StyleType.GENERAL, StyleType.REALISTIC, StyleType.DESIGN, StyleType.FICTION)
#: Kept small: PNG level 1 is several times faster than the default and still lossless.
PNG_COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class Output:
    """One entry of a response's `data`. `png` is None when the image is withheld as unsafe."""

    png: bytes | None
    prompt: str
    resolution: str
    seed: int
    style_type: str
    upscaled_resolution: str | None = None


@dataclass(frozen=True)
class Layers:
    base_png: bytes
    original_png: bytes
    seed: int
    text_blocks: list[dict[str, Any]]


def is_unsafe(request: ApiRequest) -> bool:
    return UNSAFE_TRIGGER in (getattr(request, "prompt", None) or "").lower()


def request_key(request: ApiRequest) -> str:
    """The request minus seed and count, plus its files' digests: what decides the pictures."""
    fields = {k: v for k, v in request.fields_json().items() if k not in ("seed", "num_images")}
    files = {
        name: [hashlib.sha256(f.data).hexdigest()[:16] for f in items] for name, items in request.files().items()
    }
    return json.dumps([request.operation.value, fields, files], sort_keys=True, separators=(",", ":"))


def base_seed(request: ApiRequest) -> int:
    """The seed sent, or one derived from the request (returned to the caller, like the service)."""
    seed = getattr(request, "seed", None)
    if isinstance(seed, int):
        return seed
    digest = hashlib.sha256(request_key(request).encode()).digest()
    return int.from_bytes(digest[:8], "big") % (MAX_SEED + 1)


def seeds(request: ApiRequest) -> list[int]:
    """One seed per image: seed, seed + 1, ... so image i can be made again alone with its seed."""
    first = base_seed(request)
    return [(first + i) % (MAX_SEED + 1) for i in range(request.image_count())]


def magic(prompt: str, option: MagicPrompt | None) -> str:
    """ON always embellishes; AUTO (the default) only short prompts; OFF never."""
    if not prompt.strip() or option is MagicPrompt.OFF:
        return prompt
    if option is not MagicPrompt.ON and len(prompt.split()) >= 12:
        return prompt
    flourish = FLOURISHES[hashlib.sha256(prompt.encode()).digest()[0] % len(FLOURISHES)]
    return f"{prompt.rstrip(' .,')}, {flourish}"


def style_type_of(request: ApiRequest, seed: int) -> StyleType:
    style: StyleType | None = getattr(request, "style_type", None)
    if style is StyleType.AUTO:
        return AUTO_STYLES[seed % len(AUTO_STYLES)]
    return style or StyleType.GENERAL


def nearest_resolution(size: tuple[int, int]) -> Resolution:
    """The listed resolution closest in shape, then in area, to a free size."""
    w, h = size
    exact = f"{w}x{h}"
    if exact in Resolution.__members__.values():
        return Resolution(exact)

    def badness(r: Resolution) -> tuple[float, int]:
        rw, rh = size_of(r)
        return abs(rw / rh - w / h), abs(rw * rh - w * h)

    return min(Resolution, key=badness)


def encode_png(img: Image.Image) -> bytes:
    info = PngInfo()
    info.add_text("Software", "Ideogram Studio sandbox (not a real Ideogram result)")
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=PNG_COMPRESS_LEVEL, pnginfo=info)
    return buf.getvalue()


# ---- image endpoints ----------------------------------------------------------------------


def produce_images(request: ApiRequest) -> list[Output]:
    """Render every image of an image-returning request."""
    op = request.operation
    if op is Operation.UPSCALE:
        assert isinstance(request, UpscaleRequest)
        return _upscale(request)
    prompt = getattr(request, "prompt", None) or ""
    used_prompt = magic(prompt, getattr(request, "magic_prompt", None))
    scene = _scene(request, used_prompt)
    source = _source(request)
    withheld = WITHHELD_TRIGGER in prompt.lower()
    size, resolution, upscaled = _sizes(request, source)
    if op is Operation.REFRAME and source is not None:  # no prompt is sent: report what is shown
        used_prompt = operations.describe(source)
    outputs = []
    for index, seed in enumerate(seeds(request)):
        png = None
        if not (withheld and index == 0):
            img = _picture(request, scene, source, size, seed)
            if upscaled is not None and img.size != size_of(upscaled):
                img = img.resize(size_of(upscaled), Image.Resampling.BICUBIC)
            png = encode_png(img)
        outputs.append(
            Output(
                png=png,
                prompt=used_prompt,
                resolution=str(resolution),
                seed=seed,
                style_type=str(style_type_of(request, seed)),
                upscaled_resolution=upscaled,
            )
        )
    return outputs


def _scene(request: ApiRequest, prompt: str) -> Scene:
    parts = [str(getattr(request, "style_preset", None) or "no preset")]
    style = getattr(request, "style_type", None)
    if style is not None:
        parts.append(str(style))
    codes: tuple[str, ...] = getattr(request, "style_codes", ())
    if codes:
        parts.append("codes " + " ".join(codes))
    speed = getattr(request, "rendering_speed", None)
    if speed is not None:
        parts.append(str(speed))
    colours = colours_for(getattr(request, "color_palette", None), prompt or request.operation.value)
    return Scene(prompt=prompt, caption=" · ".join(parts), colours=colours, key=request_key(request))


def _source(request: ApiRequest) -> Image.Image | None:
    image: ImageFile | None = getattr(request, "image", None) or getattr(request, "image_file", None)
    return image.pil() if image is not None else None


def _sizes(request: ApiRequest, source: Image.Image | None) -> tuple[tuple[int, int], Resolution, str | None]:
    """Pixel size to render, the `resolution` to report, and `upscaled_resolution` if the output
    size is not that resolution (a source of a free size, or an upscale factor)."""
    if isinstance(request, GenerateTransparentRequest):
        resolution = default_resolution(request.aspect_ratio)
        factor = UPSCALE_FACTORS[request.upscale_factor or UpscaleFactor.X1]
        w, h = size_of(resolution)
        return (w, h), resolution, f"{w * factor}x{h * factor}" if factor > 1 else None
    if isinstance(request, GenerateRequest) and (request.resolution or request.aspect_ratio or source is None):
        resolution = request.resolution or default_resolution(request.aspect_ratio)
        return size_of(resolution), resolution, None
    if isinstance(request, ReframeRequest):
        assert request.resolution is not None
        return size_of(request.resolution), request.resolution, None
    assert source is not None
    if isinstance(request, RemixRequest):  # no size asked: the listed size nearest the source's
        resolution = nearest_resolution(source.size)
        return size_of(resolution), resolution, None
    # Edit and replace-background answer at the source's own size.
    resolution = nearest_resolution(source.size)
    exact = f"{source.width}x{source.height}"
    return source.size, resolution, None if exact == resolution.value else exact


def _picture(
    request: ApiRequest, scene: Scene, source: Image.Image | None, size: tuple[int, int], seed: int
) -> Image.Image:
    if isinstance(request, GenerateTransparentRequest):
        return render_scene(scene, size, seed, transparent=True)
    if isinstance(request, RemixRequest):
        assert source is not None
        weight = DEFAULT_IMAGE_WEIGHT if request.image_weight is None else request.image_weight
        return operations.remix(source, render_scene(scene, size, seed), weight)
    if isinstance(request, GenerateRequest):
        return render_scene(scene, size, seed)
    assert source is not None
    if isinstance(request, EditRequest):
        assert request.mask is not None
        return operations.inpaint(source, request.mask.pil(), render_scene(scene, size, seed))
    if isinstance(request, ReframeRequest):
        palette_asked = request.color_palette is not None or request.style_preset is not None
        fill = render_scene(scene, size, seed, text=False) if palette_asked else None
        return operations.reframe(source, size, fill)
    if isinstance(request, ReplaceBackgroundRequest):
        return operations.replace_background(source, render_scene(scene, size, seed))
    raise ValueError(f"{request.operation} does not make pictures")


def _upscale(request: UpscaleRequest) -> list[Output]:
    assert request.image_file is not None
    source = request.image_file.pil()
    w, h = source.size
    factor = min(2.0, max(1.0, MAX_UPSCALED_SIDE / max(w, h)))
    # The contract's upscaled_resolution has 2 to 5 digits a side: a tiny source ("1x1" gave "2x2")
    # is scaled until its shorter side reaches MIN_UPSCALED_SIDE.
    factor = max(factor, MIN_UPSCALED_SIDE / min(w, h))
    size = (min(MAX_UPSCALED_SIDE * 4, round(w * factor)), min(MAX_UPSCALED_SIDE * 4, round(h * factor)))
    prompt = magic(request.prompt or "", request.magic_prompt_option) or operations.describe(source)
    withheld = WITHHELD_TRIGGER in (request.prompt or "").lower()
    detail = DEFAULT_DETAIL if request.detail is None else request.detail
    return [
        Output(
            png=None if withheld and i == 0 else encode_png(operations.upscale(source, size, detail, f"seed {seed}")),
            prompt=prompt,
            resolution=f"{w}x{h}",
            seed=seed,
            style_type=str(StyleType.GENERAL),
            upscaled_resolution=f"{size[0]}x{size[1]}",
        )
        for i, seed in enumerate(seeds(request))
    ]


# ---- endpoints that answer with text ------------------------------------------------------


def produce_description(request: DescribeRequest) -> str:
    assert request.image_file is not None
    return operations.describe(request.image_file.pil())


def produce_layers(request: LayerizeTextRequest) -> Layers:
    """The sandbox cannot read text: it "detects" one heading (the prompt, or SANDBOX) across the
    top of the image and erases that band in the base image."""
    assert request.image is not None
    source = request.image.pil()
    w, h = source.size
    box = (w // 10, h // 12, w - w // 10, h // 12 + max(1, h // 8))
    text = (request.prompt or "SANDBOX")[:120]
    block: dict[str, Any] = {
        "x": box[0], "y": box[1], "width": box[2] - box[0], "height": box[3] - box[1],
        "text": text, "alignment": "center", "angle": 0.0,
        "font_name": "Aileron", "font_alternatives": ["Inter", "Helvetica"],
        "font_size": max(6, (box[3] - box[1]) * 3 // 4), "line_height": 1.2,
        "color": operations.contrasting_hex(source.crop(box)), "formatting": [], "role": "heading",
    }
    base = operations.erase_text_block(source, box)
    return Layers(encode_png(base), encode_png(operations.working_copy(source)), base_seed(request), [block])

