"""Linux desktop integration files: valid, consistent with the app id and the version, icons up to
date with their one source SVG."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from ideogram_studio import APP_ID

from .helpers import PACKAGING, REPO, project_version

pytestmark = pytest.mark.packaging

LINUX = PACKAGING / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: run scripts/system-deps.sh")
    return path


def test_desktop_file_validates() -> None:
    result = subprocess.run([tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_metainfo_validates() -> None:
    result = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_id_is_used_consistently() -> None:
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]
    desktop.read(DESKTOP, encoding="utf-8")
    entry = desktop["Desktop Entry"]
    assert APP_ID == "ai.ideogram.studio.IdeogramStudio"
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "ideogram-studio"
    # Qt sets WM_CLASS's class to the application name set in app.py: docks match windows by it.
    assert entry["StartupWMClass"] == "IdeogramStudio"
    app_source = (REPO / "ideogram_studio" / "app.py").read_text("utf-8")
    assert 'app.setApplicationName("IdeogramStudio")' in app_source
    assert "app.setDesktopFileName(APP_ID)" in app_source

    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.find("content_rating") is not None
    assert root.find("developer") is not None


def test_metainfo_release_is_the_package_version_and_screenshots_exist() -> None:
    root = ET.parse(METAINFO).getroot()
    releases = root.findall("releases/release")
    assert releases and releases[0].get("version") == project_version()
    assert releases[0].get("date")
    images = root.findall("screenshots/screenshot/image")
    assert images
    from PIL import Image

    for image in images:
        url = (image.text or "").strip()
        assert "/packaging/screenshots/" in url, url
        local = PACKAGING / "screenshots" / url.rsplit("/packaging/screenshots/", 1)[1]
        assert local.is_file(), f"{url} points at {local}, which is not in the repository"
        with Image.open(local) as png:
            assert png.format == "PNG"
            assert png.size == (int(image.get("width", 0)), int(image.get("height", 0)))


def test_icons_exist_in_every_size_and_match_the_svg() -> None:
    from PIL import Image

    svg = REPO / "resources" / "icons" / "ideogram-studio.svg"  # the master (resources/README.md)
    assert svg.is_file()
    for size in SIZES:
        png = LINUX / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        with Image.open(png) as image:
            assert image.size == (size, size) and image.mode == "RGBA"
    # The committed PNGs (and the package's icons) are what the resource build makes from the sources today.
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_resources.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
