"""Reading a mask file for an image of a known size: the file rule, the size check (refused, or
stretched when the designer says so) and the sentences the designer reads. No widget state: the
canvas turns the result into one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QSize

from ...imaging.mask_export import MaskFileError, MaskRule, change_ratio, decode_mask, read_mask_file

#: Asked when a loaded mask's size differs from the image: (mask size, image size) -> scale it?
ScalePrompt = Callable[[QSize, QSize], bool]


@dataclass(frozen=True)
class MaskLoad:
    """A mask file read for an image: its coverage at the image's size ("L", 255 = change), or
    None when it was refused; ``message`` says which, in words."""

    coverage: Image.Image | None
    message: str
    #: Refused for its size: (the file's size, the image's), so the designer can be asked to stretch it.
    mismatch: tuple[tuple[int, int], tuple[int, int]] | None = None


def read_mask_for_image(
    path: Path,
    rule: MaskRule,
    image_size: tuple[int, int],
    scale_to_fit: bool | None = None,
    prompt: ScalePrompt | None = None,
) -> MaskLoad:
    """Read ``path`` with ``rule``. A file of another size is refused unless ``scale_to_fit`` is
    True (None: ``prompt`` is asked, if given); a scaled mask is thresholded back to 0/255."""
    try:
        coverage = read_mask_file(path, rule)
    except MaskFileError as exc:
        return MaskLoad(None, f"The mask was not loaded: {exc}")
    return fit_to_image(coverage, path.name, rule, image_size, scale_to_fit, prompt)


def decode_mask_for_image(data: bytes, name: str, rule: MaskRule, image_size: tuple[int, int]) -> MaskLoad:
    """``read_mask_for_image`` of a file's bytes (named ``name``); a file of another size is refused."""
    try:
        coverage = decode_mask(data, name, rule)
    except MaskFileError as exc:
        return MaskLoad(None, f"The mask was not loaded: {exc}")
    return fit_to_image(coverage, name, rule, image_size, False)


def fit_to_image(
    coverage: Image.Image,
    name: str,
    rule: MaskRule,
    image_size: tuple[int, int],
    scale_to_fit: bool | None = None,
    prompt: ScalePrompt | None = None,
) -> MaskLoad:
    """A mask file's coverage for an image of ``image_size`` (see ``read_mask_for_image``)."""
    note = ""
    if coverage.size != image_size:
        mask_size = QSize(*coverage.size)
        scale = scale_to_fit
        if scale is None and prompt is not None:
            scale = prompt(mask_size, QSize(*image_size))
        if not scale:
            return MaskLoad(
                None,
                f"{name} is {coverage.width}×{coverage.height} pixels but the image is "
                f"{image_size[0]}×{image_size[1]}; the mask was not loaded. Load it again and choose "
                "“Scale to the image size” to stretch it.",
                (coverage.size, image_size),
            )
        coverage = coverage.resize(image_size, Image.Resampling.BILINEAR).point(
            [255 if v >= 128 else 0 for v in range(256)]
        )
        note = f", scaled from {mask_size.width()}×{mask_size.height()}"
    polarity = "black = change" if rule is MaskRule.API else "painted = change"
    return MaskLoad(coverage, f"Loaded {name} ({polarity}{note}): {change_ratio(coverage):.0%} of the image to change.")
