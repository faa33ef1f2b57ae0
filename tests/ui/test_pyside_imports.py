"""PySide6's per-module check ("does this module use PySide?", asked after each new import) is
answered by reading the file's bytes once the studio starts (ui/common/pyside_imports.py): the
answers must be PySide's own, for every kind of module, and the check must really be replaced."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

SCRIPT = """
import sys
import PySide6.QtWidgets  # (installs PySide's import hook)
import ideogram_studio.api.enums, ideogram_studio.ui.common.theme, json, _json, zipimport

feature = sys.modules["shibokensupport.feature"]
pysides_own = feature._mod_uses_pyside
from ideogram_studio.ui.common.pyside_imports import cheapen_feature_check, uses_pyside

answers = {name: (pysides_own(module), uses_pyside(module)) for name, module in list(sys.modules.items())}
replaced = cheapen_feature_check()
from ideogram_studio.ui.widgets.page_stack import PageStack  # new modules, imported through the hook
from ideogram_studio.private_files import tighten
seen = {name: feature.pyside_feature_dict.get(name)
        for name in ("ideogram_studio.ui.widgets.page_stack", "ideogram_studio.private_files")}
print(repr((answers, replaced, feature._mod_uses_pyside is uses_pyside, seen)))
"""


def test_the_cheap_check_gives_pysides_answers_and_replaces_it() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    answers, replaced, installed, seen = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    differing = {name: pair for name, pair in answers.items() if pair[0] != pair[1]}
    assert differing == {}
    # Both answers occur (a module of ours with Qt, one without, built-in and compiled ones).
    assert answers["ideogram_studio.ui.common.theme"] == (True, True)
    assert answers["ideogram_studio.api.enums"] == (False, False)
    assert answers["sys"] == (False, False) and answers["PySide6.QtCore"] == (False, False)
    assert replaced and installed
    # PySide still records each new module: 0, "uses PySide"; -1, "ignore".
    assert seen == {"ideogram_studio.ui.widgets.page_stack": 0, "ideogram_studio.private_files": -1}
