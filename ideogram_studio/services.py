"""The composition root's Qt-free half: settings, key, client (real API or sandbox), gallery, queue.

Built once at start-up and passed to the window; closed in stages at quit (queue, then client,
then gallery). With no key, the client talks to the in-process sandbox (principle 5).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .api.client import IdeogramClient, RetryPolicy
from .gallery import Gallery
from .jobs import JobQueue
from .jobs.gallery_store import GalleryJobStore
from .logs import register_secret
from .secrets import ENV_VAR, SecretStore
from .settings import Settings

if TYPE_CHECKING:  # the sandbox (Starlette) is imported only when it is used
    from .api.key_check import KeyCheck
    from .sandbox import SandboxConfig

log = logging.getLogger(__name__)
SANDBOX_BASE = "http://sandbox.ideogram-studio.local"


@dataclass
class Connection:
    client: IdeogramClient
    sandbox: bool
    #: Where the key came from: "keyring", "environment", or why there is none.
    key_source: str
    #: The in-process sandbox (its state takes injected faults in tests), when sandbox is True.
    sandbox_app: Any = None


@dataclass(frozen=True)
class Tuning:
    """What tests (and only tests) change: a faster sandbox, shorter back-off."""

    sandbox: SandboxConfig | None = None
    retry: RetryPolicy | None = None
    #: Where a key check goes instead of the network (a sandbox app's transport).
    key_check_transport: Any = None


def environment_key() -> tuple[str | None, str]:
    """The key the studio starts with, without asking the keyring: IDEOGRAM_API_KEY, or none."""
    env = os.environ.get(ENV_VAR, "").strip()
    return (env, "environment") if env else (None, "no key saved")


def connect(settings: Settings, key: str | None, source: str, tuning: Tuning | None = None) -> Connection:
    """A client for `key` (None: the in-process sandbox). Never asks the keyring: the window's key
    model does that in the background and hands a found key to `Services.use_key`."""
    tuning = tuning or Tuning()
    register_secret(key)
    limit = max(1, min(10, settings.max_in_flight_images))
    if key is None:
        from .sandbox import SANDBOX_API_KEY, SandboxConfig, create_app, sandbox_transport

        # A little latency so the sandbox feels like a service (and jobs show their states).
        app = create_app(tuning.sandbox or SandboxConfig(latency=0.4))
        client = IdeogramClient(
            api_key=SANDBOX_API_KEY,
            base_url=SANDBOX_BASE,
            transport=sandbox_transport(app),
            max_in_flight_images=limit,
            retry=tuning.retry,
        )
        return Connection(client, True, source, app)
    client = IdeogramClient(
        api_key=key, base_url=settings.effective_api_base, max_in_flight_images=limit, retry=tuning.retry
    )
    if client.refusal is not None:  # every job fails with this sentence; nothing is sent
        log.warning("API base refused: %s", client.refusal)
    return Connection(client, False, source)


def budget_cap(settings: Settings) -> Decimal | None:
    try:
        cap = Decimal(settings.budget_cap_usd) if settings.budget_cap_usd else None
    except InvalidOperation:
        return None
    return cap if cap and cap > 0 else None


class Services:
    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        gallery: Gallery,
        settings_path: Path | None,
        tuning: Tuning | None = None,
        connection: Connection | None = None,
    ) -> None:
        """`connection`: made beforehand (start() makes it in a worker thread), else made here."""
        self.settings = settings
        self.secrets = secrets
        self.settings_path = settings_path
        self.gallery = gallery
        self.tuning = tuning or Tuning()
        # The keyring is not asked here (it may prompt): the environment's key or the sandbox now,
        # a key found in the keyring later (use_key).
        self._key, source = environment_key()
        self.connection = connection or connect(settings, self._key, source, self.tuning)
        self.queue = JobQueue(self.connection.client, GalleryJobStore(gallery), budget_cap=budget_cap(settings))

    @classmethod
    async def start(
        cls,
        settings: Settings,
        secrets: SecretStore,
        *,
        settings_path: Path | None = None,
        tuning: Tuning | None = None,
    ) -> Services:
        gallery = await asyncio.to_thread(Gallery.open, settings.effective_data_dir)
        # In a worker thread: the HTTP client's or the sandbox's first import (the keyring is not asked).
        key, source = environment_key()
        connection = await asyncio.to_thread(connect, settings, key, source, tuning)
        services = cls(settings, secrets, gallery, settings_path, tuning, connection)
        await services.queue.recover()
        return services

    @property
    def sandbox(self) -> bool:
        return self.connection.sandbox

    def uses_key(self, key: str | None) -> bool:
        """True when the connection already uses `key` (None: no key, the sandbox)."""
        return self._key == key

    async def use_key(self, key: str | None, source: str) -> None:
        """The key the keyring gave (or None: removed, so the environment's key or the sandbox)."""
        if key is None:
            key, source = environment_key()
        self._key = key
        await self._replace_connection(source)

    async def reconnect(self) -> None:
        """After the API base or limits changed: the same key on a new client."""
        await self._replace_connection(self.connection.key_source)

    async def _replace_connection(self, source: str) -> None:
        """A new client for new jobs; running jobs finish on the old one, closed once they are done."""
        old = self.connection
        self.connection = connect(self.settings, self._key, source, self.tuning)
        self.queue.client = self.connection.client
        self.queue.budget_cap = budget_cap(self.settings)

        async def close_when_idle() -> None:
            while old.client.limiter.in_flight:  # noqa: ASYNC110 - a counter, no event to wait on
                await asyncio.sleep(0.5)
            await old.client.aclose()

        self._closing_old = asyncio.get_event_loop().create_task(close_when_idle())

    async def check_key(self, key: str) -> KeyCheck:
        """Whether the API at the settings' base accepts `key`, by a free price quote (nothing runs)."""
        from .api.key_check import check_key

        client = IdeogramClient(
            api_key=key, base_url=self.settings.effective_api_base, transport=self.tuning.key_check_transport,
            retry=RetryPolicy(attempts=1),
        )
        try:
            return await check_key(client)
        finally:
            await client.aclose()

    async def aclose(self) -> None:
        """Staged shutdown: jobs first (journalled as cancelled), then the HTTP client, then the index."""
        await self.queue.aclose()
        await self.connection.client.aclose()
        await asyncio.to_thread(self.gallery.close)
