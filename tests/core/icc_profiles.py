"""Test helper: wide-gamut ICC profiles (Display P3, Adobe RGB) built from their published
primaries, because Pillow's ImageCms only creates sRGB/Lab/XYZ itself. A matrix/TRC ICC v2 profile
is the simplest kind LittleCMS reads: header, tag table, D50-adapted colourant columns and one
gamma curve per channel."""

from __future__ import annotations

import io
import struct

from PIL import ImageCms

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]  # rows

D65 = (0.3127, 0.3290)
D50_XYZ: Vec = (0.9642, 1.0, 0.8249)
PROFILES = {
    # name: (primaries r, g, b as xy; gamma). P3's curve is sRGB-like; a pure 2.4 gamma is close and,
    # as the same profile converts and checks, the test stays exact.
    "Display P3 (test)": (((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)), 2.4),
    "Adobe RGB (1998) (test)": (((0.640, 0.330), (0.210, 0.710), (0.150, 0.060)), 2.2),
}


def _xyz(x: float, y: float) -> Vec:
    return (x / y, 1.0, (1 - x - y) / y)


def _mul(a: Mat, v: Vec) -> Vec:
    return (
        a[0][0] * v[0] + a[0][1] * v[1] + a[0][2] * v[2],
        a[1][0] * v[0] + a[1][1] * v[1] + a[1][2] * v[2],
        a[2][0] * v[0] + a[2][1] * v[1] + a[2][2] * v[2],
    )


def _matmul(a: Mat, b: Mat) -> Mat:
    cols = [_mul(a, (b[0][j], b[1][j], b[2][j])) for j in range(3)]
    return tuple(tuple(cols[j][i] for j in range(3)) for i in range(3))  # type: ignore[return-value]


def _inv(m: Mat) -> Mat:
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return (
        ((e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det),
        ((f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det),
        ((d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det),
    )


BRADFORD: Mat = ((0.8951, 0.2664, -0.1614), (-0.7502, 1.7135, 0.0367), (0.0389, -0.0685, 1.0296))


def matrix_profile(name: str) -> ImageCms.ImageCmsProfile:
    primaries, gamma = PROFILES[name]
    cols = [_xyz(*p) for p in primaries]
    m: Mat = tuple(tuple(cols[j][i] for j in range(3)) for i in range(3))  # type: ignore[assignment]
    s = _mul(_inv(m), _xyz(*D65))
    m = tuple(tuple(m[i][j] * s[j] for j in range(3)) for i in range(3))  # type: ignore[assignment]
    src, dst = _mul(BRADFORD, _xyz(*D65)), _mul(BRADFORD, D50_XYZ)
    cone: Mat = ((dst[0] / src[0], 0, 0), (0, dst[1] / src[1], 0), (0, 0, dst[2] / src[2]))
    adapted = _matmul(_matmul(_matmul(_inv(BRADFORD), cone), BRADFORD), m)
    return ImageCms.ImageCmsProfile(io.BytesIO(_icc_bytes(adapted, gamma, name)))


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz_tag(v: Vec) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(c) for c in v)


def _icc_bytes(cols: Mat, gamma: float, desc: str) -> bytes:
    curv = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"
    text = desc.encode("ascii") + b"\0"
    # textDescriptionType: ASCII, then empty Unicode (lang + count) and ScriptCode (code, count, 67 bytes)
    desc_tag = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 8 + b"\0" * 3 + b"\0" * 67
    tags = [
        (b"desc", desc_tag),
        (b"wtpt", _xyz_tag(D50_XYZ)),
        *[(sig, _xyz_tag((cols[0][j], cols[1][j], cols[2][j]))) for j, sig in enumerate((b"rXYZ", b"gXYZ", b"bXYZ"))],
        (b"rTRC", curv),
        (b"gTRC", curv),
        (b"bTRC", curv),
    ]
    start = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        body += b"\0" * (-(start + len(body)) % 4)
        table += sig + struct.pack(">II", start + len(body), len(data))
        body += data
    header = b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp" + b"\0" * 24
    header += b"\0" * 4 + b"".join(_s15(c) for c in D50_XYZ)
    header = struct.pack(">I", start + len(body)) + header
    header = header.ljust(128, b"\0")
    return header + struct.pack(">I", len(tags)) + table + body


def lab_of(rgb: tuple[int, int, int], profile: ImageCms.ImageCmsProfile) -> tuple[float, float, float]:
    """CIE Lab (D50, float) of an 8-bit pixel in `profile` (LittleCMS does the conversion)."""
    from PIL import Image

    img = Image.new("RGB", (1, 1), rgb)
    transform = ImageCms.buildTransform(profile, ImageCms.createProfile("LAB"), "RGB", "LAB")
    lab = ImageCms.applyTransform(img, transform).getpixel((0, 0))  # type: ignore[union-attr]
    return lab[0] / 2.55, lab[1] - 128.0, lab[2] - 128.0


def delta_e(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """CIE76 ΔE: enough to say "within 2"."""
    import math

    return math.dist(a, b)
