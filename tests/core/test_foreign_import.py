"""Other tools' files: real ones (sd-parsers' test images) and ones written the way each tool
writes them; what is read, what is refused, and that nothing hostile costs unbounded time or
memory or gives a wrong prompt. See FOREIGN_SAMPLES.md for where the real files come from."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from ideogram_studio.gallery import Gallery
from ideogram_studio.gallery.foreign import MAX_JSON_DEPTH, import_metadata
from ideogram_studio.gallery.pngchunks import make_chunk

from .gallery_fixtures import A1111_TEXT, encode, noise_png, png_with_text

SD_PARSERS_SDIST = "sd-parsers==0.6"


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sd-parsers' own test images (MIT), fetched from its sdist on PyPI by pip, not committed."""
    folder = tmp_path_factory.mktemp("sd-parsers")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q", "-d", str(folder),
         SD_PARSERS_SDIST], capture_output=True, text=True,
    )
    archives = list(folder.glob("*.tar.gz"))
    if done.returncode != 0 or not archives:
        message = f"cannot fetch {SD_PARSERS_SDIST} from the package registry: {done.stderr.strip()[-300:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with tarfile.open(archives[0]) as tar:
        tar.extractall(folder, filter="data")
    return next(folder.glob("sd_parsers-*/tests/resources/parsers"))


REAL_FILES = {
    # file: (tool, start of the prompt, seed)
    "AUTOMATIC1111/automatic1111_cropped.png": ("a1111", "photo of a duck", 235284042),
    "AUTOMATIC1111/automatic1111_cropped.jpg": ("a1111", "photo of a duck", 235284042),
    "AUTOMATIC1111/automatic1111_stealth.png": ("a1111", "a circle", 2015833630),
    "ComfyUI/img2img_cropped.png": ("comfyui", "photograph of victorian woman with wings", 280823642470253),
    "ComfyUI/unclip_2pass_cropped.png": ("comfyui", "(waifu, anime", 1106257833005336),
    "Fooocus/fooocus1_cropped.png": ("fooocus", "a smiling goldfish", 6952411511246973023),
    "InvokeAI/invokeai_dream1.png": ("invokeai", "professional full body photo of young woman", 2980747362),
    "InvokeAI/invokeai_sdmeta1.png": ("invokeai", "professional full body photo of young woman", 2980747362),
    "InvokeAI/invokeai_imeta1.png": ("invokeai", "digital artwork, oil painting", 3293022630),
    "NovelAI/novelai1_cropped.png": ("novelai", "masterpiece, best quality", 2253955223),
}


@pytest.mark.parametrize("name", list(REAL_FILES))
def test_real_files_of_each_tool(samples: Path, name: str) -> None:
    tool, prompt, seed = REAL_FILES[name]
    meta = import_metadata((samples / name).read_bytes(), filename=name, created_at="2026-01-01T00:00:00Z")
    assert meta["tool"] == tool and meta["prompt"].startswith(prompt) and meta["seed"] == seed
    assert meta["import_note"].split(":")[0] in ("AUTOMATIC1111", "ComfyUI", "Fooocus", "InvokeAI", "NovelAI")
    assert not meta["prompt"].lstrip().startswith(("{", "["))  # never a JSON blob as the prompt


def test_a_folder_of_real_files_imports_with_a_report(samples: Path, tmp_path: Path) -> None:
    with Gallery.open(tmp_path / "lib") as g:
        report = g.import_paths([samples])
        found = {p.name: note for p, note in report.found}
        assert found["fooocus1_cropped.png"].startswith("Fooocus: prompt")
        assert found["automatic1111_stealth.png"].startswith("AUTOMATIC1111: prompt")
        assert len(report.imported) >= len(REAL_FILES)
        row = g.get(report.imported[0][1])
        assert row is not None and row.source in {t for t, _, _ in REAL_FILES.values()}


# ---- written the way each tool writes ---------------------------------------------------------------


def _user_comment(text: str) -> bytes:
    """EXIF UserComment as piexif.helper writes it for AUTOMATIC1111 (UNICODE, UTF-16 big-endian)."""
    return b"UNICODE\0" + text.encode("utf-16-be")


def _with_exif_comment(fmt: str, text: str) -> bytes:
    img = Image.open(io.BytesIO(noise_png(48, 40, seed=3)))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = _user_comment(text)
    return encode(img, fmt, exif=exif.tobytes())


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_a1111_jpeg_and_webp(fmt: str) -> None:
    meta = import_metadata(_with_exif_comment(fmt, A1111_TEXT), filename="x", created_at="t")
    assert meta["tool"] == "a1111" and meta["prompt"].startswith("a lighthouse at dusk") and meta["seed"] == 1234567
    assert meta["negative_prompt"] == "blurry, lowres"


FOOOCUS = {"prompt": "a fox", "negative_prompt": "blur", "seed": "42", "base_model": "juggernautXL.safetensors",
           "base_model_hash": "abc", "sampler": "dpmpp_2m", "steps": 30, "guidance_scale": 4,
           "sharpness": 2, "scheduler": "karras", "version": "Fooocus v2.5"}


def test_fooocus_png_is_not_read_as_a1111() -> None:
    data = png_with_text({"parameters": json.dumps(FOOOCUS), "fooocus_scheme": "fooocus"})
    meta = import_metadata(data, filename="x", created_at="t")
    assert (meta["tool"], meta["prompt"], meta["negative_prompt"], meta["seed"]) == ("fooocus", "a fox", "blur", 42)


def test_fooocus_jpeg() -> None:
    meta = import_metadata(_with_exif_comment("JPEG", json.dumps(FOOOCUS)), filename="x", created_at="t")
    assert (meta["tool"], meta["prompt"], meta["seed"]) == ("fooocus", "a fox", 42)


def test_swarmui() -> None:
    params = {"sui_image_params": {"prompt": "a castle", "negativeprompt": "fog", "seed": 7, "width": 1024,
                                   "height": 768, "model": "flux"}, "sui_extra_data": {"date": "2025-01-01"}}
    meta = import_metadata(png_with_text({"parameters": json.dumps(params)}), filename="x", created_at="t")
    assert (meta["tool"], meta["prompt"], meta["negative_prompt"], meta["seed"]) == ("swarmui", "a castle", "fog", 7)
    jpeg = import_metadata(_with_exif_comment("JPEG", json.dumps(params)), filename="x", created_at="t")
    assert jpeg["tool"] == "swarmui" and jpeg["prompt"] == "a castle"


def _xmp(description: str | None = None, comment: str | None = None, extra: str = "") -> str:
    parts = ['<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
             f'<rdf:Description rdf:about="" {extra}>']
    if description is not None:
        parts.append(f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{description}</rdf:li></rdf:Alt>'
                     "</dc:description>")
    if comment is not None:
        parts.append(f'<exif:UserComment><rdf:Alt><rdf:li xml:lang="x-default">{comment}</rdf:li></rdf:Alt>'
                     "</exif:UserComment>")
    parts.append("</rdf:Description></rdf:RDF></x:xmpmeta>")
    return "".join(parts)


def _png_with_itxt(keyword: str, text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt(keyword, text)
    return encode(Image.open(io.BytesIO(noise_png(40, 40, seed=4))), "PNG", pnginfo=info)


def test_draw_things_xmp() -> None:
    settings = json.dumps({"c": "a tea cup &amp; saucer", "uc": "text", "seed": 9, "size": "512x640",
                           "model": "sd_xl_base"}).replace("&amp;", "&")
    from html import escape

    xmp = _xmp("a tea cup", escape(settings), 'xmp:CreatorTool="Draw Things"')
    meta = import_metadata(_png_with_itxt("XML:com.adobe.xmp", xmp), filename="x", created_at="t")
    assert (meta["tool"], meta["prompt"], meta["negative_prompt"], meta["seed"]) == (
        "drawthings", "a tea cup & saucer", "text", 9)


def test_midjourney_description_and_xmp() -> None:
    text = "a paper boat on a pond --ar 16:9 --seed 123 --v 6.1 Job ID: 0a1b2c3d-0000-4000-8000-1234567890ab"
    meta = import_metadata(png_with_text({"Description": text, "Author": "someone"}), filename="x", created_at="t")
    assert (meta["tool"], meta["prompt"], meta["seed"]) == ("midjourney", "a paper boat on a pond --ar 16:9 --seed 123 "
                                                            "--v 6.1", 123)
    xmp = _xmp("a paper boat", None, 'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/'
               'trainedAlgorithmicMedia" xmp:CreatorTool="Midjourney"')
    meta = import_metadata(_png_with_itxt("XML:com.adobe.xmp", xmp), filename="x", created_at="t")
    assert (meta["tool"], meta["prompt"]) == ("midjourney", "a paper boat")


def test_a_photo_caption_is_not_a_prompt() -> None:
    xmp = _xmp("Grandma's birthday, 1998", None, 'xmp:CreatorTool="Adobe Photoshop"')
    meta = import_metadata(_png_with_itxt("XML:com.adobe.xmp", xmp), filename="x", created_at="t")
    assert meta["tool"] is None and "prompt" not in meta


def test_unknown_json_settings_are_not_a_prompt() -> None:
    data = png_with_text({"parameters": json.dumps({"some_tool": {"text": "x"}, "seed": 5})})
    meta = import_metadata(data, filename="x", created_at="t")
    assert meta["tool"] is None and "prompt" not in meta and "not read" in meta["import_note"]


# ---- hostile files: refused or truncated with a reason, in bounded time and memory ------------------


def _png_with_chunks(*chunks: bytes) -> bytes:
    base = noise_png(16, 16, seed=1)
    iend = base.rindex(b"IEND") - 4
    return base[:iend] + b"".join(chunks) + base[iend:]


def test_a_huge_text_chunk_is_skipped_with_a_reason() -> None:
    big = make_chunk(b"tEXt", b"parameters\0" + b"a" * (9 * 1024 * 1024))
    meta = import_metadata(_png_with_chunks(big), filename="x", created_at="t")
    assert meta["tool"] is None and "“parameters” is 9 MB: not read" in meta["import_note"]


def test_a_file_with_a_huge_text_chunk_is_not_imported(tmp_path: Path) -> None:
    big = make_chunk(b"tEXt", b"Comment\0" + b"a" * (9 * 1024 * 1024))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "huge.png").write_bytes(_png_with_chunks(big))
    with Gallery.open(tmp_path / "lib") as g:
        report = g.import_paths([tmp_path / "in"])
        assert not report.imported and g.count() == 0
        assert report.skipped[0][1] == "not imported: its text chunk “Comment” is 9 MB"


def test_a_compressed_text_bomb_stops_at_the_budget() -> None:
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)  # 64 MB of zeros in ~64 KB
    chunk = make_chunk(b"zTXt", b"parameters\0\0" + bomb)
    meta = import_metadata(_png_with_chunks(chunk), filename="x", created_at="t")
    assert "inflates past 16 MB: not read" in meta["import_note"] and meta["tool"] is None


@pytest.mark.parametrize("key", ["parameters", "prompt", "invokeai_metadata", "Comment"])
def test_deeply_nested_json_is_not_parsed(key: str) -> None:
    nested = "[" * 200_000 + "]" * 200_000
    texts = {key: nested, "workflow": nested, "Description": "x"}
    meta = import_metadata(png_with_text(texts), filename="x", created_at="t")
    assert "prompt" not in meta or meta["prompt"] == "x"
    assert f"nests deeper than {MAX_JSON_DEPTH} levels" in meta["import_note"]


def test_absurd_dimensions_give_a_note_not_a_crash() -> None:
    ihdr = struct.pack(">IIBBBBB", 200_000, 200_000, 8, 6, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + make_chunk(b"IHDR", ihdr) + make_chunk(b"tEXt", b"parameters\0a cat\nSteps: 1, "
                                                                           b"Sampler: Euler, Seed: 3") \
        + make_chunk(b"IDAT", zlib.compress(b"")) + make_chunk(b"IEND", b"")
    meta = import_metadata(data, filename="x", created_at="t")  # the text is read, the pixels never are
    assert meta["prompt"] == "a cat" and "image unreadable for metadata" in meta["import_note"]


def test_stealth_that_claims_more_than_the_image_holds() -> None:
    img = Image.new("RGBA", (64, 64), (10, 20, 30, 254))
    bits = "".join(f"{b:08b}" for b in b"stealth_pngcomp" + (10**9).to_bytes(4, "big"))
    alpha = bytearray(img.getchannel("A").transpose(Image.Transpose.TRANSPOSE).tobytes())
    for i, bit in enumerate(bits):
        alpha[i] = (alpha[i] & 0xFE) | int(bit)
    channel = Image.frombytes("L", (64, 64), bytes(alpha)).transpose(Image.Transpose.TRANSPOSE)
    img.putalpha(channel)
    meta = import_metadata(encode(img, "PNG"), filename="x", created_at="t")
    assert meta["tool"] is None and "stealth metadata larger than the image" in meta["import_note"]


@pytest.mark.parametrize("prompt", ["../../escape", "/etc/passwd", "CON", "a\\..\\b", "..", "nul.txt", "x" * 500])
def test_export_names_stay_in_the_folder(tmp_path: Path, prompt: str) -> None:
    with Gallery.open(tmp_path / "lib") as g:
        from .gallery_fixtures import store_result

        digest = store_result(g, 1, prompt=prompt)
        out = tmp_path / "out"
        outside = {p for p in tmp_path.parent.rglob("*") if not p.is_relative_to(tmp_path / "lib")}
        report = g.export([digest], out, sidecar=True)
        (written,) = [p for _, p in report.written]
        assert written.parent == out and written.resolve().is_relative_to(out.resolve())
        assert written.stem.lower() not in {"con", "nul", "prn", "aux"} and len(written.name) < 100
        now = {p for p in tmp_path.parent.rglob("*") if not p.is_relative_to(tmp_path / "lib")}
        assert {p for p in now - outside if not p.is_relative_to(out)} == set()


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library") as g:
        yield g
