"""The sandbox's answers, checked against the service's own OpenAPI contract with openapi-core.

The contract is the copy kept in tests/contract/ (trimmed from api.ideogram.ai/openapi.json).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import InvalidData

from ideogram_studio.api.requests import BY_ENDPOINT

CONTRACT = Path(__file__).resolve().parents[1] / "contract" / "openapi-v3.json"
SERVER = "https://api.ideogram.ai"

MakePng = Callable[..., bytes]
MakeMask = Callable[..., bytes]


@pytest.fixture(scope="module")
def contract() -> OpenAPI:
    return OpenAPI.from_file_path(str(CONTRACT))


def check(contract: OpenAPI, path: str, response: httpx.Response) -> None:
    """Raise if the response breaks the contract of `POST path` (status, content type, schema)."""
    request = MockRequest(SERVER, "post", path, content_type="multipart/form-data")
    contract.validate_response(
        request,
        MockResponse(response.content, response.status_code, content_type=response.headers["content-type"]),
    )


def png_part(name: str, data: bytes) -> tuple[str, tuple[str, bytes, str]]:
    return name, ("image.png", data, "image/png")


def test_the_sandbox_serves_exactly_the_contracts_paths() -> None:
    paths = set(json.loads(CONTRACT.read_text())["paths"])
    assert paths == set(BY_ENDPOINT)


@pytest.mark.parametrize(
    ("path", "fields", "file_fields"),
    [
        ("/v1/ideogram-v3/generate", {"prompt": "a cat", "num_images": "2", "style_type": "AUTO"}, ()),
        ("/v1/ideogram-v3/generate", {"prompt": "a [withheld] cat"}, ()),
        ("/v1/ideogram-v3/generate-transparent", {"prompt": "a logo", "upscale_factor": "X2"}, ()),
        ("/v1/ideogram-v3/inpaint", {"prompt": "a hat"}, ("image", "mask")),
        ("/v1/ideogram-v3/edit", {"prompt": "a hat"}, ("image", "mask")),
        ("/v1/ideogram-v3/remix", {"prompt": "in snow", "image_weight": "70"}, ("image",)),
        ("/v1/ideogram-v3/reframe", {"resolution": "1536x512"}, ("image",)),
        ("/v1/ideogram-v3/replace-background", {"prompt": "a forest"}, ("image",)),
        ("/v1/ideogram-v3/layerize-text", {}, ("image",)),
        ("/describe", {}, ("image_file",)),
        ("/upscale", {"image_request": "{}"}, ("image_file",)),
    ],
)
async def test_answers_match_the_contract(
    contract: OpenAPI,
    sandbox_client: httpx.AsyncClient,
    make_png: MakePng,
    make_mask: MakeMask,
    path: str,
    fields: dict[str, str],
    file_fields: tuple[str, ...],
) -> None:
    # A free size (not one of the listed resolutions), where the contract is easiest to break.
    parts = {"image": make_png(300, 200), "image_file": make_png(300, 200), "mask": make_mask(300, 200, (0, 0, 99, 99))}
    response = await sandbox_client.post(path, data=fields, files=[png_part(f, parts[f]) for f in file_fields])

    assert response.status_code == 200, response.text
    check(contract, path, response)


async def test_the_safety_refusal_matches_the_contract(contract: OpenAPI, sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/v1/ideogram-v3/generate", data={"prompt": "[unsafe]"})
    assert response.status_code == 422
    check(contract, "/v1/ideogram-v3/generate", response)


def test_the_checker_does_catch_a_broken_answer(contract: OpenAPI) -> None:
    broken = {
        "created": "2026-01-01T00:00:00+00:00",
        "data": [{"url": None, "is_image_safe": True, "seed": 1, "prompt": "x", "resolution": "640x480"}],
    }
    response = httpx.Response(200, json=broken)
    with pytest.raises(InvalidData, match="640x480"):
        check(contract, "/v1/ideogram-v3/generate", response)
