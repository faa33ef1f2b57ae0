"""Pillow's memory for large images: blocks the kernel hands over zeroed, so making one takes no time.

Pillow allocates a new image in blocks (16 MB by default) with calloc, while it holds Python's GIL.
glibc serves a block under its mmap threshold from the heap, and that threshold rises (up to 32 MB)
as soon as one large block has been freed: from then on the 133 MB of every new 8K image are zeroed
by memset inside that allocation, 50-100 ms during which every other thread that needs the GIL (the
GUI thread, for any slot written in Python) waits. Blocks over 32 MB are always fresh mappings, zero
already: calloc returns at once, and the pages are filled by the decoder, which lets the GIL go.
(Blocks are cut to what an image needs, so small images take no more memory than before.)
"""

from __future__ import annotations

#: Over glibc's largest dynamic mmap threshold (32 MB on 64-bit systems).
LAZY_BLOCK_BYTES = 64 << 20


def use_lazily_zeroed_blocks() -> None:
    """Process-wide, idempotent: Pillow's blocks are made large enough to be fresh mappings."""
    # Pillow's C core (PIL.Image.core), imported on first use (start-up loads no Pillow): the block
    # allocator's settings, as the PILLOW_BLOCK_SIZE environment variable sets them at start
    # (documented under "Block allocator" in Pillow's docs).
    from PIL import _imaging as pillow_core

    if pillow_core.get_block_size() < LAZY_BLOCK_BYTES:
        pillow_core.set_block_size(LAZY_BLOCK_BYTES)
