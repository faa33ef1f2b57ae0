"""A key is checked without spending: a dry-run price quote against the sandbox (which checks keys
and answers quotes as the service does), and the verdict in words without the key."""

from __future__ import annotations

from ideogram_studio.api.client import IdeogramClient, RetryPolicy
from ideogram_studio.api.key_check import KeyVerdict, check_key
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport

GOOD, REVOKED = "sk-good-key-123", "sk-revoked-key-456"


async def _check(key: str, app: object) -> object:
    client = IdeogramClient(
        api_key=key, base_url="https://api.ideogram.ai", transport=sandbox_transport(app), retry=RetryPolicy(1)
    )
    try:
        return await check_key(client)
    finally:
        await client.aclose()


async def test_an_accepted_key_costs_nothing_and_runs_nothing() -> None:
    app = create_app(SandboxConfig(revoked_keys=frozenset({REVOKED})))
    result = await _check(GOOD, app)
    state = app.state.sandbox
    assert result.verdict is KeyVerdict.ACCEPTED and "free price quote" in result.sentence
    assert state.quotes == 1  # a quote, with dry_run
    assert state.image_requests == 0 and state.generations_created == 0  # nothing generated or billed


async def test_a_revoked_key_is_said_in_words_without_the_key() -> None:
    app = create_app(SandboxConfig(revoked_keys=frozenset({REVOKED})))
    result = await _check(REVOKED, app)
    assert result.verdict is KeyVerdict.REFUSED
    assert "refused this key" in result.sentence and "revoked" in result.sentence
    assert REVOKED not in result.sentence
    assert app.state.sandbox.generations_created == 0


async def test_no_answer_says_nothing_of_the_key() -> None:
    client = IdeogramClient(api_key=GOOD, base_url="https://127.0.0.1:9", retry=RetryPolicy(1))
    try:
        result = await check_key(client)
    finally:
        await client.aclose()
    assert result.verdict is KeyVerdict.UNKNOWN and result.sentence.startswith("The key could not be checked now")
