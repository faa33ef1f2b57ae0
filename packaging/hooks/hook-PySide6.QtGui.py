"""Replaces PyInstaller's own hook for PySide6.QtGui in the Ideogram Studio bundle.

The stock hook collects every Qt plugin of the types QtGui is associated with (all platforms,
all image formats, GTK theme, eglfs, evdev, every Wayland integration, ...) and, through them, the
build machine's GTK 3 stack. This one collects the same, then keeps only the plugins listed in the
spec's `hooksconfig["ideogram_studio.qt"]["keep_plugins"]`: {plugin type: [file stems]}, where
"*" keeps every plugin of that type. The reason for each kept plugin is written in the spec.

Dropping plugins here, before PyInstaller's binary dependency analysis, also drops the shared
libraries that only those plugins needed (filtering `a.binaries` in the spec would not).
"""

from __future__ import annotations

from pathlib import PurePath

from PyInstaller.utils.hooks import get_hook_config, logger
from PyInstaller.utils.hooks.qt import add_qt6_dependencies

_STOCK_HOOK_NAME = "hook-PySide6.QtGui.py"  # add_qt6_dependencies reads the module name from it


def _plugin_type(dest: str) -> str | None:
    """'imageformats' for a plugin collected to 'PySide6/Qt/plugins/imageformats', else None."""
    parts = PurePath(dest).parts
    if "plugins" not in parts[:-1]:
        return None
    return parts[parts.index("plugins") + 1]


def _stem(filename: str) -> str:
    name = PurePath(filename).name
    for suffix in (".so", ".dll", ".dylib"):
        if suffix in name:
            name = name[: name.index(suffix)]
    return name[3:] if name.startswith("lib") else name


def hook(hook_api) -> None:  # hook_api: PyInstaller's PostGraphAPI
    hiddenimports, binaries, datas = add_qt6_dependencies(_STOCK_HOOK_NAME)
    keep = get_hook_config(hook_api, "ideogram_studio.qt", "keep_plugins")
    if keep is None:  # used outside our spec: behave like the stock hook
        kept = binaries
    else:
        kept = []
        for src, dest in binaries:
            plugin_type = _plugin_type(dest)
            stems = keep.get(plugin_type, ()) if plugin_type else ("*",)
            if "*" in stems or _stem(src) in stems:
                kept.append((src, dest))
            else:
                logger.info("ideogram-studio: leaving out Qt plugin %s/%s", plugin_type, PurePath(src).name)
    hook_api.add_imports(*hiddenimports)
    hook_api.add_binaries(kept)
    hook_api.add_datas(datas)
