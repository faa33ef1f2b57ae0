"""The PyInstaller bundle (built once per session by packaging/build.sh, or $IDEOGRAM_BUNDLE):
what is in it, its CLI, its window under Xvfb with no key and no network, the keyring through
D-Bus, the start-up error paths, and install/uninstall into a prefix."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import SecretService

from .helpers import (
    APP_ID,
    PACKAGING,
    BundleApp,
    api_requests_seen,
    bundle_env,
    no_traceback,
    project_version,
    wait,
)

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

#: Qt modules and plugins the spec leaves out; each must be absent from the bundle.
EXCLUDED = (
    "PySide6/QtNetwork.abi3.so", "PySide6/QtQml.abi3.so", "PySide6/QtQuick.abi3.so", "PySide6/QtSql.abi3.so",
    "PySide6/QtOpenGL.abi3.so", "PySide6/QtDesigner.abi3.so", "PySide6/QtHelp.abi3.so", "PySide6/QtTest.abi3.so",
    "PySide6/Qt/lib/libQt6Qml.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Network.so.6",
    "PySide6/Qt/lib/libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6OpenGL.so.6",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so", "PySide6/Qt/plugins/xcbglintegrations",
    "PySide6/Qt/plugins/egldeviceintegrations", "PySide6/Qt/plugins/generic", "PySide6/Qt/plugins/tls",
    "PySide6/Qt/plugins/sqldrivers", "PySide6/Qt/translations", "libgtk-3.so.0", "uvicorn", "rich", "click",
)  # fmt: skip
KEPT = (
    "PySide6/QtCore.abi3.so", "PySide6/QtGui.abi3.so", "PySide6/QtWidgets.abi3.so",
    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so", "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so", "PySide6/Qt/plugins/imageformats/libqwebp.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/lib/libQt6Svg.so.6",
    "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "ideogram_studio/resources/presets.json", "ideogram_studio/resources/palettes.json",
    "ideogram_studio/resources/icons/ideogram-studio.svg", "ideogram_studio/resources/themes/widgets.qss",
)  # fmt: skip


def run_cli(bundle: Path, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle / "ideogram-studio"), *args],
        env=bundle_env(None, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bundle_holds_what_the_app_needs_and_not_what_it_does_not(bundle: Path) -> None:
    internal = bundle / "_internal"
    missing = [p for p in KEPT if not (internal / p).exists()]
    assert not missing, f"missing from the bundle: {missing}"
    present = [p for p in EXCLUDED if (internal / p).exists()]
    assert not present, f"should have been left out: {present}"
    # The package metadata (dist-info, or the source tree's egg-info) carries __version__.
    assert list(internal.glob("ideogram_studio*.*-info")), "no ideogram-studio metadata in the bundle"
    assert list(internal.glob("keyring-*.dist-info/entry_points.txt")), "keyring's backends are found by entry points"


def test_bundle_cli_version_help_and_sandbox_generate(bundle: Path, tmp_path: Path) -> None:
    result = run_cli(bundle, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"ideogram-studio {project_version()}"
    result = run_cli(bundle, "--help")
    assert result.returncode == 0 and "generate" in result.stdout
    out = tmp_path / "o"
    result = run_cli(bundle, "generate", "--sandbox", "--prompt", "x", "--out", str(out))
    assert result.returncode == 0, result.stderr
    no_traceback(result.stderr)
    summary = json.loads(result.stdout)
    (image,) = summary["images"]
    assert Path(image["path"]).parent == out and Path(image["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_window_with_no_key_generates_through_the_sandbox_and_quits(
    run_bundle: Callable[..., BundleApp], secret_service: SecretService
) -> None:
    # No key anywhere; the keyring is a real Secret Service on a private bus (reached through
    # jeepney/secretstorage inside the bundle); the data and config folders are the test's own.
    app = run_bundle()
    app.find_window("Ideogram Studio$")
    # The window shows at once and is filled in once the keyring and the library are open.
    wait(lambda: "start-up:" in app.log_text(), 30, "the start-up to finish")
    assert "Sandbox" in app.title()
    assert "sandbox" in app.log_text()
    app.type("A lighthouse on a cliff at dusk")
    app.key("ctrl+Return")
    wait(lambda: app.stored_results() >= 1, 60, "the generated image in the library's index")
    wait(lambda: "done, 1 result(s)" in app.log_text(), 30, "the job to finish")
    app.key("ctrl+q")
    assert app.wait_exit() == 0, app.stderr()
    no_traceback(app.stderr())
    assert "keyring" not in app.stderr().lower(), app.stderr()  # the Secret Service answered
    # platformdirs put the library and the log under the isolated XDG folders.
    assert app.library.is_relative_to(Path(os.environ["XDG_DATA_HOME"]))
    assert any(app.library.glob("images/**/*.png"))


def test_window_reads_the_key_from_the_secret_service(
    run_bundle: Callable[..., BundleApp], secret_service: SecretService, sandbox_server: str
) -> None:
    import keyring

    keyring.set_password("ideogram-studio", "api-key", "bundle-test-key-0123")
    try:
        # With a key, the studio talks to the API base: here a local stand-in for the real service.
        app = run_bundle(IDEOGRAM_API_BASE=sandbox_server)
        app.find_window("Ideogram Studio$")
        wait(lambda: "start-up:" in app.log_text(), 30, "the start-up to finish")
        # The keyring is read in the background once the window is usable; its key then replaces the sandbox.
        wait(lambda: "Sandbox" not in app.title(), 30, "the key from the keyring to be used")
        app.type("A lighthouse")
        app.key("ctrl+Return")
        wait(lambda: app.stored_results() >= 1, 60, "the image from the server")
        assert api_requests_seen(sandbox_server) >= 1
        app.key("ctrl+q")
        assert app.wait_exit() == 0, app.stderr()
        no_traceback(app.stderr())
        assert not [p for p in app.library.parent.rglob("*") if p.is_file() and b"bundle-test-key" in p.read_bytes()]
    finally:
        keyring.delete_password("ideogram-studio", "api-key")


def test_no_display_is_a_clear_error(bundle: Path) -> None:
    result = run_cli(bundle)
    assert result.returncode == 1
    assert "needs a graphical display" in result.stderr
    no_traceback(result.stderr)
    result = run_cli(bundle, DISPLAY=":987")
    assert result.returncode == 1
    assert "cannot connect to the display (DISPLAY=:987)" in result.stderr
    no_traceback(result.stderr)


def test_unwritable_data_folder_without_display(bundle: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # root ignores permissions; a file where a folder must be stops anyone
    result = run_cli(bundle, XDG_DATA_HOME=str(blocker / "data"))
    assert result.returncode == 1
    assert "needs a graphical display" in result.stderr
    assert f"The library folder {blocker}/data/IdeogramStudio cannot be written" in result.stderr
    no_traceback(result.stderr)


def test_unwritable_data_folder_with_display(run_bundle: Callable[..., BundleApp], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = run_bundle("--data-dir", str(blocker / "library"))
    app.find_window("^The library folder cannot be used")
    app.key("Return")
    assert app.wait_exit() == 1
    assert f"The library folder {blocker}/library cannot be written" in app.stderr()
    no_traceback(app.stderr())


def test_missing_keyring_starts_the_sandbox_and_says_why(run_bundle: Callable[..., BundleApp], tmp_path: Path) -> None:
    # No Secret Service on any bus: keyring has no backend (NoKeyringError). The studio starts on its
    # sandbox; the keyring is looked into in the background and found missing (Settings says why).
    app = run_bundle(DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path}/no-bus", PYTHON_KEYRING_BACKEND=None)
    app.find_window("Ideogram Studio$")
    wait(lambda: "Sandbox" in app.title(), 30, "the Sandbox title, once the studio is filled in")
    wait(lambda: "keyring at start: unavailable" in app.log_text(), 30, "the keyring to be looked into")
    app.key("ctrl+q")
    assert app.wait_exit() == 0
    no_traceback(app.stderr())


def test_a_locked_keyring_never_holds_the_start(
    run_bundle: Callable[..., BundleApp], locked_secret_service: str
) -> None:
    # A locked keyring (its unlock prompt cannot be shown on this bus: it ends dismissed). The window
    # is the studio's at once, on its sandbox; the keyring staying locked is said in words, not asked
    # in a dialog before the window, and nothing quits.
    app = run_bundle(DBUS_SESSION_BUS_ADDRESS=locked_secret_service, PYTHON_KEYRING_BACKEND=None)
    app.find_window("Ideogram Studio$")
    wait(lambda: "Sandbox" in app.title(), 30, "the Sandbox title, once the studio is filled in")
    wait(lambda: "keyring at start: " in app.log_text(), 30, "the keyring to be looked into")
    app.key("ctrl+q")
    assert app.wait_exit() == 0
    assert "stopped" not in app.stderr() and "InitError" not in app.log_text()
    no_traceback(app.stderr())


def test_install_then_uninstall_leaves_the_prefix_as_it_was(bundle: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    (prefix / "share" / "applications").mkdir(parents=True)
    (prefix / "share" / "applications" / "other.desktop").write_text("[Desktop Entry]\n")
    (prefix / "bin").mkdir()
    (prefix / "bin" / "other-tool").write_text("#!/bin/sh\n")

    def listing() -> list[str]:
        return sorted(str(p.relative_to(prefix)) + ("/" if p.is_dir() else "") for p in prefix.rglob("*"))

    before = listing()
    env = bundle_env(None)
    subprocess.run(["bash", str(PACKAGING / "install.sh"), "--prefix", str(prefix), "--bundle", str(bundle)],
                   env=env, check=True, capture_output=True, timeout=300)  # fmt: skip

    share = prefix / "share"
    assert (prefix / "bin" / "ideogram-studio").is_symlink()
    assert (prefix / "lib" / "ideogram-studio" / "ideogram-studio").is_file()
    desktop = share / "applications" / f"{APP_ID}.desktop"
    assert f'Exec="{prefix}/bin/ideogram-studio"' in desktop.read_text()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    manifest = (share / "ideogram-studio" / "install-manifest.txt").read_text()
    assert f"file {desktop}" in manifest
    validate = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
    assert validate.returncode == 0 and not validate.stdout.strip(), validate.stdout
    result = subprocess.run([str(prefix / "bin" / "ideogram-studio"), "--version"], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.stdout.strip() == f"ideogram-studio {project_version()}"

    subprocess.run(["bash", str(PACKAGING / "uninstall.sh"), "--prefix", str(prefix)], env=env, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    assert listing() == before
