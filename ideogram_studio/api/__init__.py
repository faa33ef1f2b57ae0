"""The Ideogram 3.0 API as Python: enums, request and response types, errors, pricing, client."""

from __future__ import annotations

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

__all__ = [
    "ApiError", "ApiRequest", "AspectRatio", "AuthenticationError", "BadRequestError",
    "ColorPalette", "DescribeModelVersion", "DescribeRequest", "DescribeResponse", "DownloadError",
    "EditRequest", "GenerateRequest", "GenerateTransparentRequest", "GeneratedImage",
    "ImageFile", "ImageFileError", "ImageResponse", "LayerizeTextRequest", "LayerizeTextResponse",
    "LinkExpiredError", "MagicPrompt", "MagicPromptVersion", "NetworkError", "Operation",
    "OutcomeUnknownError", "PaletteMember", "PalettePreset", "PaymentRequiredError",
    "RateLimitedError", "ReframeRequest", "RemixRequest", "RenderingSpeed",
    "ReplaceBackgroundRequest", "RequestValidationError", "Resolution", "SafetyRejectedError",
    "ServerError", "StylePreset", "StyleType", "UpscaleFactor", "UpscaleRequest", "estimate_cost",
]
