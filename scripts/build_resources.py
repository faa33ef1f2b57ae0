"""Build the package data and the packaging icons from their sources in the top-level resources/.

    python scripts/build_resources.py            # (re)write everything built from resources/
    python scripts/build_resources.py --check    # write nothing; exit 1 if anything committed is stale

What it builds (the outputs are committed, so an installed or bundled app needs no build tools):
- every SVG under resources/icons/ → ideogram_studio/resources/icons/ (same relative path): parsed
  and written back without comments, metadata or layout whitespace, with a one-line note naming its
  source. Icons drawn in `currentColor` are recoloured at run time by the theme
  (ideogram_studio/ui/common/theme.py), so one file serves the light and the dark theme;
- the app icon resources/icons/ideogram-studio.svg → packaging/linux/icons/hicolor/<N>x<N>/apps/
  <app-id>.png for the Linux desktop (rendered by Qt, packaging/make_icons.py);
- translation sources resources/translations/*.ts → ideogram_studio/resources/translations/*.qm
  with Qt's lrelease (PySide6 ships it as pyside6-lrelease), once there are any.
Outputs with no source any more are deleted (reported by --check). tests/test_resources.py runs
--check, so the committed data cannot drift from the sources.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "resources"
PACKAGE_DATA = ROOT / "ideogram_studio" / "resources"
SVG_NS = "http://www.w3.org/2000/svg"
BUILT_NOTE = "<!-- Built from resources/{source} by scripts/build_resources.py: edit the source, then rebuild. -->\n"

sys.path.insert(0, str(ROOT / "packaging"))
import make_icons  # noqa: E402  (packaging/ is not a package; its renderer is shared with this build)


def built_svg(source: Path) -> bytes:
    """The SVG without comments, metadata and layout whitespace (deterministic, valid XML)."""
    ET.register_namespace("", SVG_NS)
    root = ET.parse(source).getroot()  # the default parser drops comments and processing instructions
    for parent in root.iter():
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}desc"):
                parent.remove(child)
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    note = BUILT_NOTE.format(source=source.relative_to(SOURCES).as_posix())  # (relative: stable anywhere)
    return (note + body + "\n").encode("utf-8")


def svg_outputs() -> dict[Path, bytes]:
    return {
        PACKAGE_DATA / "icons" / source.relative_to(SOURCES / "icons"): built_svg(source)
        for source in sorted((SOURCES / "icons").rglob("*.svg"))
    }


def lrelease() -> str:
    for name in ("pyside6-lrelease", "lrelease"):
        found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
        if found:
            return found
    raise SystemExit("build_resources: translations need Qt's lrelease (pip install PySide6-Essentials)")


def translation_outputs() -> dict[Path, bytes]:
    sources = sorted((SOURCES / "translations").glob("*.ts"))
    if not sources:
        return {}
    tool = lrelease()
    out: dict[Path, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for ts in sources:
            qm = Path(tmp) / f"{ts.stem}.qm"
            subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)], check=True, timeout=120)
            out[PACKAGE_DATA / "translations" / qm.name] = qm.read_bytes()
    return out


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def stale_outputs(expected: dict[Path, bytes]) -> list[Path]:
    """Built files whose source is gone."""
    found = [*(PACKAGE_DATA / "icons").rglob("*.svg"), *(PACKAGE_DATA / "translations").glob("*.qm")]
    return sorted(p for p in found if p not in expected)


def check_png_icons(out: Path) -> list[str]:
    from PySide6.QtGui import QImage

    problems = []
    for size in make_icons.SIZES:
        path = make_icons.icon_path(out, size)
        if not path.exists() or make_icons.differs(make_icons.render(size), QImage(str(path))):
            problems.append(f"{path.relative_to(ROOT)} differs from a render of {make_icons.SOURCE.relative_to(ROOT)}")
    return problems


def drift(icons_out: Path | None = make_icons.DEFAULT_OUT) -> list[str]:
    """What is committed but differs from a fresh build ([] when nothing); `icons_out=None` skips
    the desktop PNGs (rendering them needs a Qt application)."""
    expected = {**svg_outputs(), **translation_outputs()}
    problems = [
        f"{shown(path)} is missing or differs from its source"
        for path, data in expected.items()
        if not path.exists() or path.read_bytes() != data
    ]
    problems += [f"{shown(path)} has no source in resources/" for path in stale_outputs(expected)]
    if icons_out is not None:
        problems += check_png_icons(icons_out)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with what is committed; write nothing")
    parser.add_argument("--icons-out", type=Path, default=make_icons.DEFAULT_OUT,
                        help="hicolor folder for the desktop PNGs (default: %(default)s)")
    args = parser.parse_args(argv)
    make_icons.ensure_app()

    if args.check:
        problems = drift(args.icons_out)
        if problems:
            print("out of date (run python scripts/build_resources.py):\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        return 0

    expected = {**svg_outputs(), **translation_outputs()}
    for path in stale_outputs(expected):
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")
    for path, data in expected.items():
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(path.relative_to(ROOT))
    for path in make_icons.write_png_icons(args.icons_out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
