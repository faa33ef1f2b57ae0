"""Architecture checks that run with the tests: the core must not know Qt; the rooms stay small."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CORE_PACKAGES = ("api", "imaging", "resources", "batch", "sandbox", "gallery", "jobs", "team")
FORBIDDEN = ("PySide6", "qasync")
_DYNAMIC_IMPORT = re.compile(r"""(import_module|__import__)\(\s*["'](PySide6|qasync)\b""")


def _lint_imports() -> str:
    sibling = Path(sys.executable).with_name("lint-imports")
    if sibling.exists():
        return str(sibling)
    found = shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports (import-linter) is not installed: pip install -e '.[test]'")
    return found


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [_lint_imports(), "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"lint-imports failed:\n{result.stdout}\n{result.stderr}"


def _forbidden_imports(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found += [
            f"{path.relative_to(REPO_ROOT)}:{node.lineno}: imports {module}"
            for module in modules
            if module.split(".")[0] in FORBIDDEN
        ]
    for lineno, line in enumerate(source.splitlines(), start=1):
        if _DYNAMIC_IMPORT.search(line):
            found.append(f"{path.relative_to(REPO_ROOT)}:{lineno}: {line.strip()}")
    return found


def test_core_packages_import_no_qt() -> None:
    package_root = REPO_ROOT / "ideogram_studio"
    assert (package_root / "api").is_dir(), "ideogram_studio/api is missing"
    offenders = [
        hit
        for name in CORE_PACKAGES
        if (package_root / name).is_dir()
        for path in sorted((package_root / name).rglob("*.py"))
        for hit in _forbidden_imports(path)
    ]
    assert not offenders, "Qt in the core:\n" + "\n".join(offenders)


#: A module a newcomer can read in one sitting (ARCHITECTURE.md): past this, split it by what it does.
MAX_MODULE_LINES = 800


def test_no_module_is_over_800_lines() -> None:
    too_long = {
        str(path.relative_to(REPO_ROOT)): n
        for path in sorted((REPO_ROOT / "ideogram_studio").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them by what they do): {too_long}"


def test_ui_has_only_rooms_at_its_top() -> None:
    loose = sorted(p.name for p in (REPO_ROOT / "ideogram_studio" / "ui").glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"modules loose in ui/ (put them in a room: shell, modes, library, ...): {loose}"
