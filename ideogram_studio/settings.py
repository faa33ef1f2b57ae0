"""Typed settings kept as JSON in the platform config folder. Never holds the API key."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from .private_files import PRIVATE_FILE_MODE, make_private_dir

APP_DIR_NAME = "IdeogramStudio"
API_BASE_ENV = "IDEOGRAM_API_BASE"
FORBIDDEN_KEYS = {"api_key", "apikey", "key", "token", "secret"}


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False))


@dataclass
class Settings:
    api_base: str = "https://api.ideogram.ai"
    data_dir: str = ""  # empty: the platform data folder
    default_rendering_speed: str = "TURBO"
    #: What a new request in any mode starts with ("" = not set: the service decides).
    default_num_images: int = 1
    default_magic_prompt: str = ""
    default_style_type: str = ""
    budget_cap_usd: str = ""  # empty: no cap; a decimal string otherwise
    max_in_flight_images: int = 10
    theme: str = "system"  # "system" (follow the desktop), "light" or "dark": View ▸ Theme and Settings
    ui: dict[str, Any] = field(default_factory=dict)  # last-used values, window layout

    @property
    def effective_api_base(self) -> str:
        return os.environ.get(API_BASE_ENV, "").strip() or self.api_base

    @property
    def effective_data_dir(self) -> Path:
        return Path(self.data_dir) if self.data_dir else data_dir()

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or config_dir() / "settings.json"
        try:
            raw = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known}) if isinstance(raw, dict) else cls()

    def save(self, path: Path | None = None) -> None:
        path = path or config_dir() / "settings.json"
        data = asdict(self)
        _refuse_secrets(data)
        make_private_dir(path.parent)
        tmp = path.with_suffix(".tmp")
        # 0600 whatever the umask: the settings say where the library is and how much is spent.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE_MODE)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(data, indent=2, sort_keys=True))
            os.chmod(tmp, PRIVATE_FILE_MODE)
            os.replace(tmp, path)
        except BaseException:  # a full disk: the old settings stay whole, no half-written file is left
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


def _refuse_secrets(data: Any) -> None:
    """Belt and braces: a settings file must never carry a key, whatever a caller put in `ui`."""
    if isinstance(data, dict):
        for k, v in data.items():
            if str(k).lower().replace("-", "_") in FORBIDDEN_KEYS:
                raise ValueError(f"refusing to write a secret-looking setting {k!r}")
            _refuse_secrets(v)
    elif isinstance(data, list):
        for v in data:
            _refuse_secrets(v)
