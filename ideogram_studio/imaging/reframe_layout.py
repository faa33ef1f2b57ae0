"""Where a reframed source sits in its new frame. Qt-free, so the preview and tests share it.

The service keeps the source and fills the new area around it. The sandbox (and this preview)
scale the source to fit the new frame, keeping its proportions, and centre it: exactly what
``PIL.ImageOps.contain`` followed by a centred paste does (see sandbox/operations.py ``reframe``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api.enums import Resolution, size_of


@dataclass(frozen=True)
class Placement:
    """The source's rectangle inside the new frame, in output pixels."""

    frame_width: int
    frame_height: int
    left: int
    top: int
    width: int
    height: int
    #: Output pixels per source pixel (above 1: the source is enlarged).
    scale: float = 1.0

    @property
    def new_area_share(self) -> float:
        """The share of the new frame the service has to fill (0..1)."""
        total = self.frame_width * self.frame_height
        return 1 - (self.width * self.height) / total if total else 0.0


def contained_size(source: tuple[int, int], frame: tuple[int, int]) -> tuple[int, int]:
    """The source's size once scaled to fit inside ``frame`` (``ImageOps.contain``'s rounding)."""
    sw, sh = source
    fw, fh = frame
    if sw <= 0 or sh <= 0 or fw <= 0 or fh <= 0:
        return 0, 0
    im_ratio = sw / sh
    dest_ratio = fw / fh
    width, height = fw, fh
    if im_ratio != dest_ratio:
        if im_ratio > dest_ratio:
            height = round(sh / sw * fw)
        else:
            width = round(sw / sh * fh)
    return width, height


def place(source: tuple[int, int], resolution: Resolution | str | tuple[int, int]) -> Placement:
    """Where the source of size ``source`` lands in a frame of ``resolution``: fit and centred."""
    frame = resolution if isinstance(resolution, tuple) else size_of(resolution)
    width, height = contained_size(source, frame)
    fw, fh = frame
    scale = width / source[0] if source[0] > 0 else 0.0
    return Placement(fw, fh, (fw - width) // 2, (fh - height) // 2, width, height, scale)

