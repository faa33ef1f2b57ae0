"""What the v2 endpoints answer, as typed values (the raw JSON kept for the record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .responses import GeneratedImage, ImageResponse

MICROS = Decimal(1_000_000)


def usd(micros: int | None) -> Decimal | None:
    return None if micros is None else Decimal(micros) / MICROS


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class QuoteSource(StrEnum):
    SERVICE = "service"
    #: The service could not quote (no key, sandbox off, no network): the local table, labelled so.
    LOCAL_TABLE = "local table"


@dataclass(frozen=True)
class PriceQuote:
    usd: Decimal
    qualifier: str
    upper_bound_usd: Decimal | None = None
    billing_identifier: str | None = None
    quantity: int | None = None
    credit_millis: int | None = None
    source: QuoteSource = QuoteSource.SERVICE

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> PriceQuote:
        micros = _int(obj.get("usd_micros"))
        if obj.get("object") != "price_quote" or micros is None:
            raise ValueError("not a price quote")
        return cls(
            usd=Decimal(micros) / MICROS,
            qualifier=str(obj.get("qualifier", "estimate")),
            upper_bound_usd=usd(_int(obj.get("upper_bound_usd_micros"))),
            billing_identifier=_str(obj.get("billing_identifier")),
            quantity=_int(obj.get("quantity")),
            credit_millis=_int(obj.get("credit_millis")),
        )

    @property
    def exact(self) -> bool:
        return self.source is QuoteSource.SERVICE and self.qualifier == "exact"

    def describe(self) -> str:
        if self.source is QuoteSource.LOCAL_TABLE:
            return f"≈ ${self.usd:.3f} (local price table; the service could not quote)"
        if self.exact:
            return f"${self.usd:.3f} (exact quote)"
        bound = f", at most ${self.upper_bound_usd:.3f}" if self.upper_bound_usd is not None else ""
        return f"≈ ${self.usd:.3f} (estimate{bound})"


@dataclass(frozen=True)
class AsyncAcknowledgement:
    generation_id: str
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True)
class V2ImageResult:
    generation_id: str | None
    data: tuple[GeneratedImage, ...]
    seed: int | None = None
    usage_cost_usd_micros: int | None = None
    billing_identifier: str | None = None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> V2ImageResult:
        return cls(
            generation_id=_str(obj.get("generation_id")),
            data=tuple(GeneratedImage.from_json(d) for d in obj.get("data") or [] if isinstance(d, dict)),
            seed=_int(obj.get("seed")),
            usage_cost_usd_micros=_int(obj.get("usage_cost_usd_micros")),
            billing_identifier=_str(obj.get("billing_identifier")),
            raw=obj,
        )

    def as_image_response(self) -> ImageResponse:
        """The v1 shape, so the queue downloads and stores v2 results the same way."""
        return ImageResponse(created=str(self.raw.get("created", "")), data=self.data, raw=self.raw)


class GenerationStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class Generation:
    """`GET /v2/generations/{id}`."""

    generation_id: str
    status: GenerationStatus
    data: tuple[GeneratedImage, ...] = ()
    usage_cost_usd_micros: int | None = None
    billing_identifier: str | None = None
    failure_reason: str | None = None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Generation:
        return cls(
            generation_id=str(obj.get("generation_id", "")),
            status=GenerationStatus(obj.get("status", "pending")),
            data=tuple(GeneratedImage.from_json(d) for d in obj.get("data") or [] if isinstance(d, dict)),
            usage_cost_usd_micros=_int(obj.get("usage_cost_usd_micros")),
            billing_identifier=_str(obj.get("billing_identifier")),
            failure_reason=_str(obj.get("failure_reason")),
            raw=obj,
        )

    def result(self) -> V2ImageResult:
        return V2ImageResult(
            self.generation_id, self.data, None, self.usage_cost_usd_micros, self.billing_identifier, self.raw
        )


@dataclass(frozen=True)
class V2LayersResult:
    base_image_url: str | None
    text_blocks: tuple[dict[str, Any], ...]
    seed: int | None = None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> V2LayersResult:
        blocks = tuple(b for b in obj.get("text_blocks") or [] if isinstance(b, dict))
        return cls(_str(obj.get("base_image_url")), blocks, _int(obj.get("seed")), raw=obj)

    def as_image_response(self) -> ImageResponse:
        """The text-free base image as one result in the v1 shape, so the queue downloads it at once
        (its link expires like any other); the text blocks stay in `raw`, journalled with the job."""
        base = GeneratedImage(url=self.base_image_url, is_image_safe=self.base_image_url is not None, seed=self.seed)
        return ImageResponse(created=str(self.raw.get("created", "")), data=(base,), raw=self.raw)


@dataclass(frozen=True)
class V2Description:
    """Describe: text (ideogram-3) or the structured prompt (ideogram-4)."""

    texts: tuple[str, ...] = ()
    json_prompt: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> V2Description:
        texts = tuple(str(d.get("text", "")) for d in obj.get("descriptions") or [] if isinstance(d, dict))
        prompt = obj.get("json_prompt")
        tags = tuple(str(t) for t in obj.get("tags") or [])
        return cls(texts, prompt if isinstance(prompt, dict) else None, tags, raw=obj)


V2Answer = V2ImageResult | AsyncAcknowledgement | V2LayersResult | V2Description
