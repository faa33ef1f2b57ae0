"""The publishable package: the wheel holds the package data, installs into a fresh venv, and both
entry points answer --version/--help with the version from the package metadata."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .helpers import REPO, project_version

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(600)]

#: The user's pip cache, taken before the root conftest points HOME/XDG_CACHE_HOME at tmp folders:
#: the fresh venv gets its dependencies from there when they were downloaded before.
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
)
RESOURCES = (
    "resources/presets.json",
    "resources/palettes.json",
    "resources/icons/ideogram-studio.svg",
    "resources/icons/modes/edit.svg",
    "resources/themes/widgets.qss",
)


def run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_CACHE_DIR"] = PIP_CACHE
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n" + (
        result.stderr[-3000:]
    )
    return result


def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path: Path) -> None:
    version = project_version()
    # Built from a copy of what the package is made of (pip builds in the source folder, leaving
    # build/ and *.egg-info behind): this also shows the package needs nothing else from the repo.
    src = tmp_path / "src"
    shutil.copytree(REPO / "ideogram_studio", src / "ideogram_studio", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--progress-bar", "off", "-w", str(wheels), str(src)],
        cwd=tmp_path)  # fmt: skip
    (wheel,) = wheels.glob("ideogram_studio-*.whl")
    assert wheel.name == f"ideogram_studio-{version}-py3-none-any.whl"

    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = zf.read(f"ideogram_studio-{version}.dist-info/entry_points.txt").decode()
    for resource in RESOURCES:
        assert f"ideogram_studio/{resource}" in names, f"{resource} is not in the wheel"
    assert not [n for n in names if n.startswith(("packaging/", "tests/"))], "the wheel carries non-package files"
    assert not [n for n in names if n.endswith(".png") and "/icons/" in n], "desktop-only PNG icons in the wheel"
    assert "ideogram-studio = ideogram_studio.__main__:main" in entry_points
    assert "ideogram-sandbox = ideogram_studio.sandbox.server:main" in entry_points

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    bin_dir = venv / "bin"
    # The runtime dependencies come from the index (pip's cache keeps this quick on a second run).
    run([str(bin_dir / "python"), "-m", "pip", "install", "--progress-bar", "off", str(wheel)], cwd=tmp_path)

    for script in ("ideogram-studio", "ideogram-sandbox"):
        out = run([str(bin_dir / script), "--version"], cwd=tmp_path).stdout.strip()
        assert out == f"{script} {version}"
        helptext = run([str(bin_dir / script), "--help"], cwd=tmp_path).stdout
        assert helptext.startswith(f"usage: {script}")
    assert "generate" in run([str(bin_dir / "ideogram-studio"), "--help"], cwd=tmp_path).stdout

    probe = (
        "import json, ideogram_studio\n"
        "from importlib import resources\n"
        "root = resources.files('ideogram_studio')\n"
        f"found = {{r: root.joinpath(r).is_file() for r in {RESOURCES!r}}}\n"
        "from ideogram_studio.resources.catalog import style_presets, palette_swatches\n"
        "print(json.dumps({'file': ideogram_studio.__file__, 'version': ideogram_studio.__version__,\n"
        "                  'found': found, 'presets': len(style_presets()), 'palettes': len(palette_swatches())}))\n"
    )
    info = json.loads(run([str(bin_dir / "python"), "-c", probe], cwd=tmp_path).stdout)
    assert Path(info["file"]).is_relative_to(venv), f"imported from {info['file']}, not the installed wheel"
    assert info["version"] == version
    assert all(info["found"].values()), info["found"]
    assert info["presets"] > 50 and info["palettes"] > 0

    # The scripting CLI from the installed wheel, through the in-process sandbox.
    out_dir = tmp_path / "out"
    result = run([str(bin_dir / "ideogram-studio"), "generate", "--sandbox", "--prompt", "x", "--out", str(out_dir)],
                 cwd=tmp_path)  # fmt: skip
    summary = json.loads(result.stdout)
    assert summary["sent"] is True and Path(summary["images"][0]["path"]).is_file()
