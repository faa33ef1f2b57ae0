"""The api package names each of its names three times (read on first use, PEP 562): in its
TYPE_CHECKING imports for the type checker, in `_HOMES` for `__getattr__`, and in `__all__` for
linters. A name added to one list and not the others would fail only when first used."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import ideogram_studio.api as api


def test_every_exported_name_has_a_home_and_is_defined_there() -> None:
    assert sorted(api.__all__) == sorted(api._HOMES)
    for name, home in api._HOMES.items():
        module = importlib.import_module(f"ideogram_studio.api.{home}")
        assert getattr(api, name) is getattr(module, name), name


def test_the_type_checkers_imports_name_the_same_things() -> None:
    tree = ast.parse(Path(api.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    imported = {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert imported == api._HOMES
