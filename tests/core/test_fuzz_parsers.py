"""Property-based fuzzing (hypothesis) of the metadata reader and of the search syntax parser:
neither ever raises, whatever bytes or text it is given; each run is bounded (max_examples), and
the seed corpus is the files of each tool in gallery_fixtures plus the hostile shapes below."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ideogram_studio.gallery.foreign import detect, import_metadata
from ideogram_studio.gallery.foreign_sources import Sources
from ideogram_studio.gallery.search_syntax import parse_search

from .gallery_fixtures import a1111_png, comfyui_png, invokeai_png, noise_png, novelai_png, png_with_text

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                database=None, derandomize=True)
CORPUS = [a1111_png(), comfyui_png(), invokeai_png(), novelai_png(), noise_png(16, 16, seed=2, mode="RGBA"),
          png_with_text({"parameters": json.dumps({"sui_image_params": {"prompt": "p", "seed": 1}})})]
KEYS = ["parameters", "prompt", "workflow", "invokeai_metadata", "sd-metadata", "Dream", "Comment", "Description",
        "Source", "Software", "fooocus_scheme", "XML:com.adobe.xmp"]


def _check(meta: dict) -> None:
    assert meta["kind"] == "import" and isinstance(meta["import_note"], str)
    assert meta.get("prompt") is None or isinstance(meta["prompt"], str)
    assert meta.get("seed") is None or isinstance(meta["seed"], int)


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    cut = draw(st.integers(8, len(data)))
    return bytes(data[:cut])


@FUZZ
@given(mutated_files())
def test_the_reader_never_raises_on_damaged_files(data: bytes) -> None:
    _check(import_metadata(data, filename="f", created_at="t"))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
).map(json.dumps)


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), st.text(max_size=200) | JSONISH, max_size=5),
       st.none() | st.text(max_size=200) | JSONISH, st.none() | st.text(max_size=200))
@example({"parameters": "[" * 5000}, None, None)
@example({"prompt": '{"1": {"inputs": {"text": ["1", 0]}, "class_type": "CLIPTextEncode"}}', "workflow": "{}"},
         None, None)
@example({"parameters": "a\nSteps: 1, Hashes: {" + "Hashes: {" * 3000}, None, None)
@example({"Description": "x Job ID: 12345678-aaaa"}, None, "<x:xmpmeta><!DOCTYPE a [<!ENTITY b 'c'>]>")
def test_the_reader_never_raises_on_any_text(texts: dict[str, str], comment: str | None, xmp: str | None) -> None:
    parsed, note = detect(Sources(format="PNG", texts=dict(texts), exif_comment=comment, xmp=xmp, stealth=comment))
    assert isinstance(note, str) and (parsed.get("tool") is None or isinstance(parsed["tool"], str))
    prompt = parsed.get("prompt")
    if prompt is not None:
        assert isinstance(prompt, str)
        params = texts.get("parameters")
        assert not (params and params.lstrip().startswith("{") and prompt == params)  # never the blob itself


SEARCH_TERMS = st.from_regex(
    r"(-?(rating|date|after|before|ratio|tag|op|preset|style|palette|fav|is):[\"]?[0-9a-z:<>=\-x/ ]{0,40}[\"]? ?){1,4}",
    fullmatch=True,
)


@FUZZ
@given(st.text(max_size=300) | SEARCH_TERMS)
@example("rating:" + "9" * 4301)
@example("date:9999-12-31 after:0001-01-01 before:9999-12-31")
@example('"unclosed -tag: ratio:99999999999999999999x1')
def test_the_search_parser_never_raises(text: str) -> None:
    result = parse_search(text, today=date(2026, 12, 7))
    for error in result.errors:
        assert 0 <= error.start <= error.end <= len(text) and error.message


_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


@FUZZ
@given(st.text(max_size=120), st.dictionaries(st.sampled_from(["batch", "row", "seed", "prompt"]),
                                              st.text(max_size=40) | st.integers(), max_size=4))
@example("../../{batch}", {"batch": "/etc/passwd"})
@example("{batch}", {"batch": "CON"})
@example("{batch}", {"batch": ".."})
@example("C:\\\\{batch}", {"batch": "nul.txt"})
def test_export_names_never_leave_the_folder(template: str, fields: dict) -> None:
    from ideogram_studio.batch.plan import export_name
    from ideogram_studio.gallery import slugify

    for name in (export_name(template, fields, ".png"), (slugify(template) or "x") + ".png"):
        assert "/" not in name and "\\\\" not in name and ":" not in name and "\\0" not in name
        assert name not in (".png", "..png") and not name.startswith("..")
        assert name.split(".", 1)[0].upper() not in _RESERVED and len(name) <= 160
