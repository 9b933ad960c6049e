"""An organisation's accent colour, made safe and readable for print.

The colour reaches the PDF only as a CSS custom property in the document's own <style>, and
only after it matches #rrggbb here (whatever the form already checked). A light accent would
make white slide titles or headings unreadable, so headings use a darkened shade when needed
and text on an accent background is black or white, whichever contrasts more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEX = re.compile(r"#[0-9a-f]{6}")
DEFAULT_ACCENT = "#0f5161"
WHITE, INK = "#ffffff", "#1b1b1b"


def _rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0, min(255, c))):02x}" for c in rgb)


def _luminance(value: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _mix(value: str, other: str, amount: float) -> str:
    return _hex(tuple(a + (b - a) * amount for a, b in zip(_rgb(value), _rgb(other), strict=True)))


@dataclass(frozen=True)
class PackColours:
    accent: str  # backgrounds and rules
    text: str  # headings on white: at least 4.5:1
    ink: str  # text on an accent background
    pale: str  # a light tint for table headers and boxes


def pack_colours(value: str) -> PackColours:
    accent = (
        value.lower() if isinstance(value, str) and HEX.fullmatch(value.lower()) else DEFAULT_ACCENT
    )
    text = accent
    while contrast(text, WHITE) < 4.5:
        text = _mix(text, "#000000", 0.1)
    ink = WHITE if contrast(accent, WHITE) >= contrast(accent, INK) else INK
    return PackColours(accent=accent, text=text, ink=ink, pale=_mix(accent, WHITE, 0.88))
