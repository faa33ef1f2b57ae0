"""The Ideogram 3.0 API as Python: enums, request and response types, errors, pricing, client.

The names below are read from their modules on first use (PEP 562): importing one module of the
package (`api.errors`, say) does not import the others. The studio's first form needs no response
type, say: it takes typing before they are loaded."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .enums import (
        AspectRatio,
        DescribeModelVersion,
        MagicPrompt,
        MagicPromptVersion,
        PalettePreset,
        RenderingSpeed,
        Resolution,
        StylePreset,
        StyleType,
        UpscaleFactor,
    )
    from .errors import (
        ApiError,
        AuthenticationError,
        BadRequestError,
        DownloadError,
        ImageFileError,
        LinkExpiredError,
        NetworkError,
        OutcomeUnknownError,
        PaymentRequiredError,
        RateLimitedError,
        RequestValidationError,
        SafetyRejectedError,
        ServerError,
    )
    from .images import ImageFile
    from .palette import ColorPalette, PaletteMember
    from .pricing import estimate_cost
    from .requests import (
        ApiRequest,
        DescribeRequest,
        EditRequest,
        GenerateRequest,
        GenerateTransparentRequest,
        LayerizeTextRequest,
        Operation,
        ReframeRequest,
        RemixRequest,
        ReplaceBackgroundRequest,
        UpscaleRequest,
    )
    from .responses import DescribeResponse, GeneratedImage, ImageResponse, LayerizeTextResponse

#: Each name of the package and the module that defines it.
_HOMES = {
    "AspectRatio": "enums",
    "DescribeModelVersion": "enums",
    "MagicPrompt": "enums",
    "MagicPromptVersion": "enums",
    "PalettePreset": "enums",
    "RenderingSpeed": "enums",
    "Resolution": "enums",
    "StylePreset": "enums",
    "StyleType": "enums",
    "UpscaleFactor": "enums",
    "ApiError": "errors",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "DownloadError": "errors",
    "ImageFileError": "errors",
    "LinkExpiredError": "errors",
    "NetworkError": "errors",
    "OutcomeUnknownError": "errors",
    "PaymentRequiredError": "errors",
    "RateLimitedError": "errors",
    "RequestValidationError": "errors",
    "SafetyRejectedError": "errors",
    "ServerError": "errors",
    "ImageFile": "images",
    "ColorPalette": "palette",
    "PaletteMember": "palette",
    "estimate_cost": "pricing",
    "ApiRequest": "requests",
    "DescribeRequest": "requests",
    "EditRequest": "requests",
    "GenerateRequest": "requests",
    "GenerateTransparentRequest": "requests",
    "LayerizeTextRequest": "requests",
    "Operation": "requests",
    "ReframeRequest": "requests",
    "RemixRequest": "requests",
    "ReplaceBackgroundRequest": "requests",
    "UpscaleRequest": "requests",
    "DescribeResponse": "responses",
    "GeneratedImage": "responses",
    "ImageResponse": "responses",
    "LayerizeTextResponse": "responses",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # (once)
    return value


__all__ = [
    "ApiError",
    "ApiRequest",
    "AspectRatio",
    "AuthenticationError",
    "BadRequestError",
    "ColorPalette",
    "DescribeModelVersion",
    "DescribeRequest",
    "DescribeResponse",
    "DownloadError",
    "EditRequest",
    "GenerateRequest",
    "GenerateTransparentRequest",
    "GeneratedImage",
    "ImageFile",
    "ImageFileError",
    "ImageResponse",
    "LayerizeTextRequest",
    "LayerizeTextResponse",
    "LinkExpiredError",
    "MagicPrompt",
    "MagicPromptVersion",
    "NetworkError",
    "Operation",
    "OutcomeUnknownError",
    "PaletteMember",
    "PalettePreset",
    "PaymentRequiredError",
    "RateLimitedError",
    "ReframeRequest",
    "RemixRequest",
    "RenderingSpeed",
    "ReplaceBackgroundRequest",
    "RequestValidationError",
    "Resolution",
    "SafetyRejectedError",
    "ServerError",
    "StylePreset",
    "StyleType",
    "UpscaleFactor",
    "UpscaleRequest",
    "estimate_cost",
]
