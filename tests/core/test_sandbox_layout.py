"""The sandbox draws a structured prompt's layout: every element's box outlined in its first colour
where its bbox says, so a test (and a designer) can see a moved box took effect."""

from __future__ import annotations

import io
import json

from PIL import Image

from ideogram_studio.api import structured_prompt as sp
from ideogram_studio.api.requests import Operation
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.sandbox.v2_results import magic_caption, produce_images

INK = (0xAA, 0x22, 0x00)


def caption(bbox: list[int]) -> dict[str, object]:
    return {
        "high_level_description": "A poster",
        "style_description": {"aesthetics": "bold", "lighting": "flat", "medium": "print", "art_style": "swiss",
                              "color_palette": ["#112233"]},
        "compositional_deconstruction": {"background": "cream", "elements": [
            {"type": "text", "bbox": bbox, "text": "HELLO", "desc": "headline", "color_palette": ["#AA2200"]}]},
    }  # fmt: skip


def picture(prompt: dict[str, object]) -> Image.Image:
    request = V2Request.build(Operation.GENERATE, "ideogram-4-5", {"json_prompt": prompt, "seed": 7})
    (out,) = produce_images(request)
    assert out.png is not None
    return Image.open(io.BytesIO(out.png)).convert("RGB")


def left_edge(bbox: list[int], size: tuple[int, int]) -> tuple[int, int]:
    left, top, _right, bottom = sp.bbox_to_pixels(bbox, *size)
    return left + 2, (top + bottom) // 2


def test_a_text_elements_box_is_outlined_where_its_bbox_says_and_follows_it() -> None:
    low, high = [700, 100, 900, 900], [50, 100, 250, 900]
    img_low, img_high = picture(caption(low)), picture(caption(high))
    assert img_low.getpixel(left_edge(low, img_low.size)) == INK
    assert img_high.getpixel(left_edge(high, img_high.size)) == INK
    assert img_high.getpixel(left_edge(low, img_high.size)) != INK  # moved: nothing left behind


def test_magic_prompt_puts_quoted_words_in_a_text_element_under_the_subject() -> None:
    made = magic_caption('A travel poster reading "NORTH LIGHT"')
    sp.check_schema(made)
    text, subject = made["compositional_deconstruction"]["elements"]
    assert text["type"] == "text" and text["text"] == "NORTH LIGHT"
    assert text["bbox"][0] > subject["bbox"][2]  # below the subject
    assert json.loads(sp.serialise(made)) == made
