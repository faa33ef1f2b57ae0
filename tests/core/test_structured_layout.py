"""The structured prompt as a layout (api/structured_layout.py): JSON both ways, boxes in pixels,
flags for what is allowed but worth a look, the text limit, and prompt files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ideogram_studio.api import structured_prompt as sp
from ideogram_studio.api.structured_layout import (
    LISTED_ELEMENTS,
    PROMPT_LIMIT,
    Element,
    Layout,
    LayoutFileError,
    flag_lines,
    flags,
    frame_aspect_ratio,
    in_lines,
    in_words,
    read_file,
    text_room,
    write_file,
)

CAPTION = {
    "high_level_description": "A poster",
    "style_description": {"aesthetics": "bold", "lighting": "flat", "medium": "print", "art_style": "swiss",
                          "color_palette": ["#112233", "#FFEEDD"]},
    "compositional_deconstruction": {"background": "cream", "elements": [
        {"type": "text", "bbox": [50, 100, 250, 900], "text": "HELLO", "desc": "headline",
         "color_palette": ["#AA0000"]},
        {"type": "obj", "bbox": [400, 300, 900, 700], "desc": "a fox"}]},
}  # fmt: skip


def test_a_prompt_round_trips_in_the_formats_key_order() -> None:
    layout = Layout.from_prompt(CAPTION)
    assert layout.elements[0] == Element("text", 50, 100, 250, 900, "headline", "HELLO", ("#AA0000",))
    assert layout.to_prompt() == CAPTION
    assert json.dumps(layout.to_prompt()) == json.dumps(CAPTION)  # the order too
    assert Layout.from_json(layout.to_json()) == layout
    assert sp.advice(layout.to_prompt()) == []


def test_the_photo_shape_keeps_photo_and_drops_art_style() -> None:
    photo = json.loads(json.dumps(CAPTION))
    photo["style_description"] = {"aesthetics": "a", "lighting": "b", "photo": "35mm", "medium": "photo",
                                  "color_palette": []}  # fmt: skip
    layout = Layout.from_prompt(photo)
    assert layout.photo == "35mm"
    assert list(layout.to_prompt()["style_description"]) == list(sp.STYLE_PHOTO)
    assert list(layout.changed(photo=None, art_style="ink").to_prompt()["style_description"]) == list(sp.STYLE_ART)


def test_a_prompt_that_breaks_the_schema_is_refused_with_the_key() -> None:
    bad = json.loads(json.dumps(CAPTION))
    bad["compositional_deconstruction"]["elements"][1]["bbox"] = [1, 2, 3]
    with pytest.raises(ValueError, match=r"elements\[1\]\.bbox"):
        Layout.from_prompt(bad)


def test_steps_leave_the_earlier_layout_as_it_was() -> None:
    a = Layout.from_prompt(CAPTION)
    b = a.with_element(1, a.elements[1].with_bbox((0, 0, 100, 100)))
    c = b.added(Element("obj", 500, 500, 600, 600, "a cup")).removed(0)
    assert a.elements[1].bbox == (400, 300, 900, 700)
    assert b.elements[1].bbox == (0, 0, 100, 100)
    assert [e.desc for e in c.elements] == ["a fox", "a cup"]


def test_pixels_and_thousandths_meet_in_one_place_unclamped() -> None:
    assert sp.bbox_to_rect((100, 200, 500, 1000), 2000, 1000) == (400.0, 100.0, 2000.0, 500.0)
    assert sp.rect_to_bbox((400.0, 100.0, 2000.0, 500.0), 2000, 1000) == (100, 200, 500, 1000)
    assert sp.rect_to_bbox((-100.0, -50.0, 2100.0, 1000.0), 2000, 1000) == (-50, -50, 1000, 1050)


def test_a_box_outside_the_frame_is_flagged_and_written_clipped() -> None:
    layout = Layout(elements=(Element("obj", -50, 100, 300, 1100, "sun"),))
    assert [f.kind for f in flags(layout)] == ["outside"]
    assert layout.to_prompt()["compositional_deconstruction"]["elements"][0]["bbox"] == [0, 100, 300, 1000]
    sp.check_schema(layout.to_prompt())  # what is sent is valid


def test_overlapping_small_and_empty_boxes_are_flagged_not_refused() -> None:
    layout = Layout(elements=(
        Element("obj", 0, 0, 500, 500, "a"), Element("obj", 400, 400, 900, 900, "b"),
        Element("obj", 950, 950, 970, 990, "tiny"), Element("obj", 10, 600, 10, 700, "flat"),
    ))  # fmt: skip
    found = {(f.index, f.kind) for f in flags(layout, (1024, 1024))}
    assert found == {(0, "overlap"), (1, "overlap"), (2, "small"), (3, "empty")}
    # The same box is big enough on a larger frame: the threshold is in pixels of the frame.
    assert all(f.kind != "small" for f in flags(layout.removed(3), (4096, 4096)))
    message = next(f.message for f in flags(layout) if f.index == 0)
    assert message == "Element 1 overlaps element 2"


def test_text_room_is_what_keeps_the_written_caption_within_the_service_limit() -> None:
    layout = Layout.from_prompt(CAPTION)
    room = text_room(layout, 0)
    at_limit = layout.with_element(0, Element(**{**layout.elements[0].__dict__, "text": "x" * room}))
    assert len(sp.serialise(at_limit.to_prompt())) == PROMPT_LIMIT
    assert 0 < room < PROMPT_LIMIT


def test_a_prompt_file_round_trips(tmp_path: Path) -> None:
    layout = Layout.from_prompt(CAPTION)
    folder = tmp_path / "prompts"
    folder.mkdir()
    path = folder / "poster.json"
    write_file(path, layout)
    assert read_file(path) == layout
    assert [p.name for p in folder.iterdir()] == ["poster.json"]  # no temporary left behind


def test_a_magic_prompt_answer_file_is_read_for_its_prompt(tmp_path: Path) -> None:
    path = tmp_path / "answer.json"
    path.write_text(json.dumps({"json_prompt": CAPTION, "aspect_ratio": "1x1"}))
    assert read_file(path) == Layout.from_prompt(CAPTION)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
        (b'{"high_level_description": "a", ', "damaged: not valid JSON (line 1"),
        (b'{"nodes": [], "links": []}', "not an Ideogram structured prompt"),
        (b"[1, 2, 3]", "not an Ideogram structured prompt"),
        (json.dumps({**CAPTION, "extra": 1}).encode(), "the studio can use: extra is not a key"),
    ],
)
def test_a_damaged_or_foreign_file_is_refused_with_the_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "file.json"
    path.write_bytes(content)
    with pytest.raises(LayoutFileError) as caught:
        read_file(path)
    assert reason in str(caught.value) and "file.json" in str(caught.value)


def test_a_missing_file_says_it_could_not_be_read(tmp_path: Path) -> None:
    with pytest.raises(LayoutFileError, match="could not be read"):
        read_file(tmp_path / "gone.json")


def test_flag_lines_say_each_overlap_once() -> None:
    layout = Layout(elements=(
        Element("obj", 0, 0, 500, 500, "a"), Element("obj", 100, 100, 600, 600, "b"),
        Element("obj", 400, 400, 900, 900, "c"), Element("obj", 950, 0, 1000, 10, "d"),
    ))  # fmt: skip
    found = flags(layout, (1024, 1024))
    assert {(f.index, f.kind) for f in found if f.kind == "overlap"} == {(0, "overlap"), (1, "overlap"), (2, "overlap")}
    assert flag_lines(found) == [
        "Element 1 overlaps elements 2, 3",
        "Element 2 overlaps element 3",
        "Element 4 is 10×51 px: smaller than the model can use (a side under 32 px)",
    ]


def test_a_stored_structured_prompt_in_words_for_captions() -> None:
    assert in_words(sp.serialise(CAPTION)) == f"Layout: {CAPTION['high_level_description']} (2 elements)"
    assert in_words("A fox in the snow") is None
    assert in_words('{"not": "a caption"}') is None and in_words("{broken") is None


def test_a_stored_structured_prompt_in_lines_for_details() -> None:
    expected = ["Layout: A poster (2 elements)", 'Text "HELLO": headline', "Object: a fox"]
    assert in_lines(sp.serialise(CAPTION)) == expected
    many = json.loads(json.dumps(CAPTION))
    many["compositional_deconstruction"]["elements"] = [
        {"type": "obj", "bbox": [0, 0, 10, 10], "desc": f"thing {i}"} for i in range(LISTED_ELEMENTS + 3)
    ]
    lines = in_lines(sp.serialise(many))
    assert lines is not None and len(lines) == 1 + LISTED_ELEMENTS + 1 and lines[-1] == "… and 3 more"
    assert in_lines("A fox in the snow") is None and in_lines("{broken") is None


def test_a_text_box_without_words_is_flagged() -> None:
    layout = Layout(elements=(Element("text", 0, 0, 500, 500, "headline", ""),))
    assert [(f.index, f.kind) for f in flags(layout)] == [(0, "no-text")]
    assert not flags(layout.with_element(0, Element("text", 0, 0, 500, 500, "headline", "SALE")))


@pytest.mark.parametrize(
    ("frame", "expected"),
    [((1024, 1024), "1x1"), ((1200, 800), "3x2"), ((1920, 1080), "16x9"), ((1000, 700), "3x2"),
     ((800, 3000), "1x3"), ((5000, 100), "3x1"), ((1080, 1350), "4x5")],
)
def test_a_frame_is_asked_for_by_its_nearest_listed_aspect_ratio(frame: tuple[int, int], expected: str) -> None:
    assert frame_aspect_ratio(frame) == expected
