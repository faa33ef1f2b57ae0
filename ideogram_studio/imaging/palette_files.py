"""Saved palettes as files: our JSON, and Adobe Swatch Exchange (.ase), which Photoshop,
Illustrator, InDesign, Affinity, Procreate and Krita exchange.

ASE layout (big-endian): b"ASEF", version 1.0 (two u16), a u32 block count, then blocks of
(u16 type, u32 length, body). A colour entry (0x0001) is a u16-counted UTF-16BE name with its NUL,
a 4-byte model ("RGB ", "CMYK", "LAB ", "Gray"), float32 components and a u16 colour type; groups
open (0xC001, with a name) and close (0xC002). We write one group per palette of RGB colours and
read RGB, Gray, CMYK (naive conversion, said in the result) and Lab (through Pillow's LittleCMS).

Weights are ours, not ASE's: they are kept in the JSON form and default to none in ASE.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..api.errors import RequestValidationError
from ..api.palette import ColorPalette, PaletteMember

KIND = "ideogram-studio/palettes"
VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_BLOCKS = 10_000
_ENTRY, _GROUP_START, _GROUP_END = 0x0001, 0xC001, 0xC002


class PaletteFileError(ValueError):
    """The file is not a palette file we can read; nothing was imported."""


@dataclass(frozen=True)
class NamedPalette:
    name: str
    palette: ColorPalette
    notes: tuple[str, ...] = field(default=())


# ---- our JSON ------------------------------------------------------------------------------------
def palettes_to_json(palettes: list[NamedPalette]) -> str:
    items = [{"name": p.name, "palette": p.palette.to_json()} for p in palettes]
    data = {"kind": KIND, "version": VERSION, "palettes": items}
    return json.dumps(data, indent=1, ensure_ascii=False)


def palettes_from_json(text: str, source: str = "The file") -> list[NamedPalette]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise PaletteFileError(f"{source} is not a palette file (not JSON).") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise PaletteFileError(f"{source} is not a palette file of Ideogram Studio.")
    if data.get("version") != VERSION:
        raise PaletteFileError(f"{source} was written by another version (version {data.get('version')!r}).")
    items = data.get("palettes")
    if not isinstance(items, list):
        raise PaletteFileError(f"{source} is damaged: it has no list of palettes.")
    out: list[NamedPalette] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise PaletteFileError(f"{source} is damaged: palette {i} has no name.")
        body = item.get("palette")
        if not isinstance(body, dict):
            raise PaletteFileError(f"{source} is damaged: palette {i} ({item['name']}) has no colours.")
        try:
            palette = ColorPalette.from_json(body)
            palette.validate()
        except RequestValidationError as exc:
            raise PaletteFileError(f"{source}: palette {i} ({item['name']}): {exc.rule}") from None
        out.append(NamedPalette(item["name"].strip() or f"Palette {i}", palette))
    return out


# ---- Adobe Swatch Exchange -----------------------------------------------------------------------
def palettes_to_ase(palettes: list[NamedPalette]) -> bytes:
    blocks: list[bytes] = []
    for p in palettes:
        if p.palette.name is not None:
            raise PaletteFileError(f"{p.name} is a preset, not colours: only custom palettes can be saved as .ase.")
        blocks.append(_block(_GROUP_START, _name(p.name)))
        for i, m in enumerate(p.palette.members, 1):
            r, g, b = _hex_to_rgb(m.color_hex)
            components = struct.pack(">3f", r / 255, g / 255, b / 255)
            body = _name(f"{p.name} {i}") + b"RGB " + components + struct.pack(">H", 2)  # 2 = normal colour
            blocks.append(_block(_ENTRY, body))
        blocks.append(_block(_GROUP_END, b""))
    return b"ASEF" + struct.pack(">HHI", 1, 0, len(blocks)) + b"".join(blocks)


def palettes_from_ase(data: bytes, source: str = "The file") -> list[NamedPalette]:
    """Every group becomes a palette (loose colours one more); more than eight colours are cut,
    with a note, since the service takes at most eight."""
    if len(data) > MAX_FILE_BYTES:
        raise PaletteFileError(f"{source} is too large for a swatch file.")
    if data[:4] != b"ASEF" or len(data) < 12:
        raise PaletteFileError(f"{source} is not an Adobe Swatch Exchange file.")
    (count,) = struct.unpack(">I", data[8:12])
    if count > MAX_BLOCKS:
        raise PaletteFileError(f"{source} claims {count:,} swatches; that is not a real swatch file.")
    groups: list[tuple[str, list[str], list[str]]] = []
    loose: tuple[str, list[str], list[str]] = (Path(source).stem or "Swatches", [], [])
    current = loose
    pos = 12
    try:
        for _ in range(count):
            kind, length = struct.unpack(">HI", data[pos : pos + 6])
            body = data[pos + 6 : pos + 6 + length]
            if len(body) != length:
                raise PaletteFileError(f"{source} is cut short.")
            pos += 6 + length
            if kind == _GROUP_START:
                current = (_read_name(body)[0] or f"Group {len(groups) + 1}", [], [])
                groups.append(current)
            elif kind == _GROUP_END:
                current = loose
            elif kind == _ENTRY:
                hex_, note = _entry_colour(body)
                current[1].append(hex_)
                if note and note not in current[2]:
                    current[2].append(note)
    except (struct.error, UnicodeDecodeError, IndexError):
        raise PaletteFileError(f"{source} is damaged.") from None
    out: list[NamedPalette] = []
    for name, colours, notes in [*groups, loose]:
        if not colours:
            continue
        if len(colours) > 8:
            notes = [*notes, f"{len(colours)} colours; the first 8 were kept (the service takes 8)"]
        palette = ColorPalette(members=tuple(PaletteMember(c) for c in colours[:8]))
        out.append(NamedPalette(name, palette, tuple(notes)))
    if not out:
        raise PaletteFileError(f"{source} holds no colours.")
    return out


def read_palette_file(path: Path) -> list[NamedPalette]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise PaletteFileError(f"{path.name} is too large for a palette file.")
        data = path.read_bytes()
    except OSError as exc:
        raise PaletteFileError(f"{path.name} could not be read ({exc.strerror}).") from None
    if path.suffix.lower() == ".ase":
        return palettes_from_ase(data, path.name)
    try:
        return palettes_from_json(data.decode("utf-8"), path.name)
    except UnicodeDecodeError:
        raise PaletteFileError(f"{path.name} is not a palette file (not text).") from None


def _block(kind: int, body: bytes) -> bytes:
    return struct.pack(">HI", kind, len(body)) + body


def _name(text: str) -> bytes:
    encoded = (text + "\0").encode("utf-16-be")
    return struct.pack(">H", len(encoded) // 2) + encoded


def _read_name(body: bytes) -> tuple[str, int]:
    (n,) = struct.unpack(">H", body[:2])
    end = 2 + n * 2
    return body[2:end].decode("utf-16-be").rstrip("\0"), end


def _entry_colour(body: bytes) -> tuple[str, str]:
    _name_text, pos = _read_name(body)
    model = body[pos : pos + 4]
    pos += 4
    if model == b"RGB ":
        r, g, b = struct.unpack(">3f", body[pos : pos + 12])
        return _rgb_hex(r, g, b), ""
    if model == b"Gray":
        (v,) = struct.unpack(">f", body[pos : pos + 4])
        return _rgb_hex(v, v, v), ""
    if model == b"CMYK":
        c, m, y, k = struct.unpack(">4f", body[pos : pos + 16])
        hex_ = _rgb_hex((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
        return hex_, "CMYK swatches were converted without a press profile: check them by eye"
    if model == b"LAB ":
        lab = struct.unpack(">3f", body[pos : pos + 12])
        return _lab_hex(lab), ""
    raise PaletteFileError(f"a swatch uses an unknown colour model {model!r}")


def _lab_hex(lab: tuple[float, ...]) -> str:
    from PIL import Image, ImageCms

    # ASE stores L in 0..1 and a, b in -128..127; Pillow's 8-bit LAB wants L*2.55, a+128, b+128.
    l_, a, b = lab
    pixel = Image.new("LAB", (1, 1), (round(l_ * 255), round(a) + 128, round(b) + 128))
    transform = ImageCms.buildTransformFromOpenProfiles(
        ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB"
    )
    rgb: Any = ImageCms.applyTransform(pixel, transform)
    r, g, bb = rgb.getpixel((0, 0))
    return f"#{r:02X}{g:02X}{bb:02X}"


def _rgb_hex(r: float, g: float, b: float) -> str:
    def byte(v: float) -> int:
        return max(0, min(255, round(v * 255)))

    return f"#{byte(r):02X}{byte(g):02X}{byte(b):02X}"


def _hex_to_rgb(text: str) -> tuple[int, int, int]:
    h = text.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class PaletteStore:
    """The designer's saved palettes, in order, in one JSON file of ours (palettes.json in the
    config folder: palettes belong to the designer, not to one library). Written whole to a temp
    file and renamed, so a crash leaves the old list or the new one."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[NamedPalette]:
        try:
            return read_palette_file(self.path)
        except PaletteFileError:
            return []  # no file yet, or a damaged one: the picker starts empty, nothing is lost on disk

    def save_all(self, palettes: list[NamedPalette]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".tmp-{self.path.name}")
        tmp.write_text(palettes_to_json(palettes), "utf-8")
        tmp.replace(self.path)

    def add(self, palette: NamedPalette) -> list[NamedPalette]:
        """Save under its name (replacing one of the same name, in place)."""
        items = self.load()
        for i, p in enumerate(items):
            if p.name.casefold() == palette.name.casefold():
                items[i] = palette
                break
        else:
            items.append(palette)
        self.save_all(items)
        return items

    def rename(self, old: str, new: str) -> list[NamedPalette]:
        items = [NamedPalette(new, p.palette) if p.name == old else p for p in self.load()]
        self.save_all(items)
        return items

    def remove(self, name: str) -> list[NamedPalette]:
        items = [p for p in self.load() if p.name != name]
        self.save_all(items)
        return items

    def move(self, name: str, step: int) -> list[NamedPalette]:
        items = self.load()
        index = next((i for i, p in enumerate(items) if p.name == name), None)
        if index is not None:
            target = max(0, min(len(items) - 1, index + step))
            items.insert(target, items.pop(index))
            self.save_all(items)
        return items

    def import_file(self, path: Path) -> tuple[list[NamedPalette], list[NamedPalette]]:
        """All of the file's palettes or none (PaletteFileError); returns (added, all)."""
        added = read_palette_file(path)
        items = self.load()
        for palette in added:
            items = [p for p in items if p.name.casefold() != palette.name.casefold()] + [palette]
        self.save_all(items)
        return added, items
