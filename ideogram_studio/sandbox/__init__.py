"""A local, Ideogram-compatible server: same paths, fields, validation, errors and JSON shapes as the
service, deterministic Pillow pictures, links that expire, and faults on demand for tests.

In-process: `httpx.AsyncClient(transport=sandbox_transport(create_app()))`.
As a real server: the `ideogram-sandbox` command (see server.py).
"""

from __future__ import annotations

from .app import create_app
from .config import SANDBOX_API_KEY, SandboxConfig
from .faults import Fault, FaultKind
from .state import SandboxState
from .transport import sandbox_transport

__all__ = [
    "SANDBOX_API_KEY",
    "Fault",
    "FaultKind",
    "SandboxConfig",
    "SandboxState",
    "create_app",
    "sandbox_transport",
]
