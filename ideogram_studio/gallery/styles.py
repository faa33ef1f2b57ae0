"""Own styles and brand kits: the style part of a request saved under a name, with a preview
image, shown beside Ideogram's presets ("Mine") and applied in one click.

A style is: style type, preset, style codes, style reference images, colour palette and the
model settings (model, rendering speed, magic prompt), plus a preview. Each lives in
`styles/<id>/` in the library folder (`style.json`, `preview.png`, `ref-1.png`, …) and travels as
one `.idstyle` file (a zip of the same files) so a team can share it. Imports are all or nothing:
a file that is not ours, is damaged, or tries to write outside its folder is refused with the
reason and leaves nothing behind.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._util import now_iso
from .errors import GalleryError, StorageError, storage_error
from .files import atomic_write, probe_image

FOLDER = "styles"
FILE_SUFFIX = ".idstyle"
KIND = "ideogram-studio/style"
VERSION = 1
#: The request fields a style carries (everything else belongs to the request at hand).
STYLE_FIELDS = (
    "style_type",
    "style_preset",
    "style_codes",
    "color_palette",
    "rendering_speed",
    "magic_prompt",
    "model",
)
MAX_REFERENCES = 3
MAX_FILE_BYTES = 40 * 1024 * 1024  # the zip as a whole
MAX_MEMBER_BYTES = 12 * 1024 * 1024  # one image inside it, inflated
_MEMBER = re.compile(r"^(style\.json|preview\.png|ref-[1-3]\.(png|jpg|webp))$")


class StyleFileError(GalleryError, ValueError):
    """A style file that is not ours or is damaged; nothing was imported."""


@dataclass(frozen=True)
class Style:
    id: str
    name: str
    fields: Mapping[str, Any]
    created: str
    preview: Path | None = None
    references: tuple[Path, ...] = field(default=())


class StyleLibrary:
    def __init__(self, library_folder: Path) -> None:
        self.root = library_folder / FOLDER

    # ---- reading -----------------------------------------------------------------------------
    def all(self) -> list[Style]:
        if not self.root.is_dir():
            return []
        styles = [s for s in (self._read(d) for d in sorted(self.root.iterdir()) if d.is_dir()) if s is not None]
        return sorted(styles, key=lambda s: s.name.casefold())

    def get(self, style_id: str) -> Style | None:
        folder = self.root / style_id
        return self._read(folder) if _is_id(style_id) and folder.is_dir() else None

    def _read(self, folder: Path) -> Style | None:
        try:
            meta = json.loads((folder / "style.json").read_text("utf-8"))
            checked = _checked_meta(meta, folder.name)
        except (OSError, ValueError, RecursionError):
            return None  # a damaged style is skipped, not fatal; the check reports it
        preview = folder / "preview.png"
        refs = tuple(sorted(p for p in folder.glob("ref-*") if p.is_file()))
        return Style(folder.name, checked["name"], checked["fields"], checked["created"],
                     preview if preview.is_file() else None, refs)

    # ---- writing -----------------------------------------------------------------------------
    def save(
        self,
        name: str,
        fields: Mapping[str, Any],
        *,
        preview_png: bytes | None = None,
        references: list[tuple[str, bytes]] | None = None,
        style_id: str | None = None,
    ) -> Style:
        """Create (or, with `style_id`, replace) a style. `references` are (extension, bytes)."""
        name = " ".join(name.split())
        if not name:
            raise StyleFileError("A style needs a name.")
        unknown = set(fields) - set(STYLE_FIELDS)
        if unknown:
            raise StyleFileError(f"{sorted(unknown)[0]} is not part of a style.")
        refs = references or []
        if len(refs) > MAX_REFERENCES:
            raise StyleFileError(f"A style keeps at most {MAX_REFERENCES} reference images.")
        style_id = style_id or secrets.token_hex(8)
        if not _is_id(style_id):
            raise StyleFileError("That style cannot be found.")
        files: dict[str, bytes] = {
            "style.json": json.dumps(
                {"kind": KIND, "version": VERSION, "name": name, "created": now_iso(), "fields": dict(fields)},
                ensure_ascii=False, indent=1,
            ).encode()
        }
        if preview_png is not None:
            files["preview.png"] = preview_png
        for i, (ext, data) in enumerate(refs, 1):
            files[f"ref-{i}.{ext.lstrip('.').lower()}"] = data
        self._replace_folder(style_id, files)
        style = self.get(style_id)
        assert style is not None
        return style

    def rename(self, style_id: str, name: str) -> Style:
        style = self.get(style_id)
        if style is None:
            raise StyleFileError("That style cannot be found.")
        files = self._files_of(style)
        meta = json.loads(files["style.json"])
        meta["name"] = " ".join(name.split()) or style.name
        files["style.json"] = json.dumps(meta, ensure_ascii=False, indent=1).encode()
        self._replace_folder(style_id, files)
        renamed = self.get(style_id)
        assert renamed is not None
        return renamed

    def set_preview(self, style_id: str, preview_png: bytes) -> Style:
        """Give a style a new preview image (a PNG; a damaged one is refused, the old one kept)."""
        style = self.get(style_id)
        if style is None:
            raise StyleFileError("That style cannot be found.")
        probe_image(preview_png, "The preview")
        files = self._files_of(style)
        files["preview.png"] = preview_png
        self._replace_folder(style_id, files)
        changed = self.get(style_id)
        assert changed is not None
        return changed

    def delete(self, style_id: str) -> None:
        if _is_id(style_id):
            shutil.rmtree(self.root / style_id, ignore_errors=True)

    # ---- files -------------------------------------------------------------------------------
    def export_bytes(self, style_id: str) -> bytes:
        style = self.get(style_id)
        if style is None:
            raise StyleFileError("That style cannot be found.")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self._files_of(style).items():
                zf.writestr(name, data)
        return buf.getvalue()

    def import_bytes(self, data: bytes, source: str = "The file") -> Style:
        files = _read_zip(data, source)
        meta = json.loads(files["style.json"])
        _checked_meta(meta, source)
        for name, blob in files.items():
            if name != "style.json":
                try:
                    probe_image(blob, f"{name} in {source}")
                except GalleryError as exc:
                    raise StyleFileError(f"{source} is damaged: {exc}") from None
        style_id = secrets.token_hex(8)
        self._replace_folder(style_id, files)
        style = self.get(style_id)
        assert style is not None
        return style

    def _files_of(self, style: Style) -> dict[str, bytes]:
        folder = self.root / style.id
        return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and _MEMBER.match(p.name)}

    def _replace_folder(self, style_id: str, files: dict[str, bytes]) -> None:
        """Write into a fresh folder, then swap it in: a crash leaves the old style or the new."""
        target = self.root / style_id
        staging = self.root / f".tmp-{secrets.token_hex(6)}"
        try:
            staging.mkdir(parents=True)
            for name, data in files.items():
                atomic_write(staging / name, data, action="save the style")
            old = None
            if target.exists():
                old = self.root / f".tmp-old-{secrets.token_hex(6)}"
                target.rename(old)
            staging.rename(target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except StorageError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise storage_error(exc, "save the style", target / "style.json") from None


def _is_id(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{16}", text))


def _checked_meta(meta: Any, source: str) -> dict[str, Any]:
    if not isinstance(meta, dict) or meta.get("kind") != KIND:
        raise StyleFileError(f"{source} is not a style of Ideogram Studio.")
    if meta.get("version") != VERSION:
        raise StyleFileError(f"{source} was written by another version (version {meta.get('version')!r}).")
    if not isinstance(meta.get("name"), str) or not meta["name"].strip():
        raise StyleFileError(f"{source} is damaged: the style has no name.")
    fields = meta.get("fields")
    if not isinstance(fields, dict) or set(fields) - set(STYLE_FIELDS):
        raise StyleFileError(f"{source} is damaged: its fields are not a style's.")
    return {"name": meta["name"].strip(), "fields": fields, "created": str(meta.get("created", ""))}


def _read_zip(data: bytes, source: str) -> dict[str, bytes]:
    if len(data) > MAX_FILE_BYTES:
        raise StyleFileError(f"{source} is too large for a style (over 40 MB).")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise StyleFileError(f"{source} is not a style file (not a zip archive).") from None
    files: dict[str, bytes] = {}
    with zf:
        for info in zf.infolist():
            if not _MEMBER.match(info.filename):  # "../x", "/etc/x", "C:x", "CON", folders: refused
                raise StyleFileError(f"{source} holds an unexpected file {info.filename!r}; nothing was imported.")
            if info.file_size > MAX_MEMBER_BYTES:
                raise StyleFileError(f"{source}: {info.filename} is too large ({info.file_size:,} bytes inflated).")
            try:
                with zf.open(info) as fh:
                    blob = fh.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise StyleFileError(f"{source} is damaged ({exc}).") from None
            if len(blob) > MAX_MEMBER_BYTES:
                raise StyleFileError(f"{source}: {info.filename} inflates beyond its stated size.")
            files[info.filename] = blob
    if "style.json" not in files:
        raise StyleFileError(f"{source} is not a style file (no style.json).")
    try:
        json.loads(files["style.json"])
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise StyleFileError(f"{source} is damaged: style.json is not JSON.") from None
    return files
