"""Named colours: which of twelve everyday colour names an image's dominant colours match.

Colours are compared in CIELAB, where distance follows perception, never by exact hex.

- Neutrals first: a colour with little chroma (C* < NEUTRAL_CHROMA) is black, grey or white by
  its lightness alone, and so is anything nearly black or nearly white whatever its tint.
- Any other colour is compared with reference points, several per name, because one point
  cannot stand for a whole name (navy and sky blue are both "blue", yet 57 dE apart), and
  because CIELAB bends blues toward purple. Its name is the one with the nearest reference
  point, if that point is within MATCH_DISTANCE. A second name also matches when its own nearest
  point is hardly further (NAME_MARGIN): a colour on the teal/blue border is found under both.

Why these numbers: every sRGB colour with some chroma lies within 23 dE of a reference point
(tests/test_palette.py walks the RGB cube), so MATCH_DISTANCE = 25 names every real colour and
only refuses what no point describes. The nearest points of neighbouring names are 14-18 dE
apart, and NAME_MARGIN = 3 dE is just over the just-noticeable difference (about 2.3): only
colours practically on a border get two names (about 14% of the RGB cube, never more than two).
NEUTRAL_CHROMA = 12 keeps the casts of grey walls and overcast skies (C* 3-10) grey, while dark
browns (C* ~14) stay brown.
"""

from __future__ import annotations

from collections.abc import Sequence

from repo.core.cielab import Lab, chroma, delta_e, hex_to_lab

# Display order and swatch colours for the UI.
PALETTE: dict[str, str] = {
    'red': '#e53935',
    'orange': '#fb8c00',
    'yellow': '#fdd835',
    'green': '#43a047',
    'teal': '#00897b',
    'blue': '#1e88e5',
    'purple': '#8e24aa',
    'pink': '#f06292',
    'brown': '#795548',
    'black': '#000000',
    'grey': '#9e9e9e',
    'white': '#ffffff',
}
ALIASES = {'gray': 'grey'}

NEUTRAL_CHROMA = 12.0  # C* below this reads as black, grey or white (greys tinted by a cast)
BLACK_BELOW = 20.0  # L* of a neutral: black below, white from WHITE_FROM, grey between
WHITE_FROM = 90.0
NEAR_BLACK = 8.0  # L* this low is black whatever its tint; this high is white
NEAR_WHITE = 97.0
MATCH_DISTANCE = 25.0
NAME_MARGIN = 3.0

# Reference points for the chromatic names, as sRGB hex: common shades under each name, plus
# dark, pale and very saturated ones so that every colour has a point nearby.
_REFERENCES: dict[str, str] = {
    'red': 'ff0000 dc143c b22222 8b0000 c0392b e57373 a52a2a 800000 722f37 4a0000 5c0a1e',
    'orange': 'ff8c00 ffa500 ff7f50 e67e22 ff6600 f4a460 ffb380 ffdab9',
    'yellow': 'ffff00 ffd700 f1c40f fff176 ffffe0 f0e68c d4c400',
    'green': '00ff00 008000 228b22 32cd32 90ee90 006400 6b8e23 556b2f 9acd32 2e8b57 8fbc8f '
    'c5e1a5 808000 003300 1b3a1b 00ff7f 7fff00 adff2f 00c000 6e7b5a 9caf88',
    'teal': '008080 20b2aa 40e0d0 00ced1 48d1cc 005f5f b2dfdb 00ffff 003333 66cdaa 7fffd4 '
    '00fa9a 00c8a0',
    'blue': '0000ff 000080 00008b 4169e1 1e90ff 87ceeb 4682b4 add8e6 00bfff 191970 6495ed '
    'b0c4de 5f9ea0 00ffff e0ffff 001a40 0d1b4d 0047ab 0050ff 3c78ff 0000cd 1560bd '
    '26619c 0f52ba 1f4e79 2a52be 003366 4a6fa5',
    'purple': '800080 8a2be2 9370db 4b0082 6a0dad ba55d3 9400d3 e6e6fa d8bfd8 483d8b 7b68ee '
    '2b0a3d 330033 550033 966996 7d5a7d 5a4b69 a56aa5 8b6f9e ee82ee e8a0f8',
    'pink': 'ffc0cb ff69b4 ff1493 db7093 ff00ff ffb6c1 c71585 ffe4e1 ff77ff ffccff ff80c0 ff00c0 '
    'b0004c e0007f',
    'brown': '8b4513 a0522d 654321 5c4033 3d2b1f d2b48c c19a6b deb887 6f4e37 bc8f8f b8860b 4a3728',
}
_POINTS: tuple[tuple[str, Lab], ...] = tuple(
    (name, hex_to_lab(color)) for name, colors in _REFERENCES.items() for color in colors.split()
)


def color_name(text: str) -> str | None:
    """A palette name from user text ('Blue', ' gray ') or None if it is not one."""
    name = text.strip().lower()
    name = ALIASES.get(name, name)
    return name if name in PALETTE else None


def names_of(hex_color: str) -> list[str]:
    """The names one '#rrggbb' colour matches, best first: one, or two when in-between."""
    lab = hex_to_lab(hex_color)
    lightness = lab[0]
    if lightness < NEAR_BLACK:
        return ['black']
    if lightness > NEAR_WHITE or chroma(lab) < NEUTRAL_CHROMA:
        if lightness < BLACK_BELOW:
            return ['black']
        return ['white'] if lightness >= WHITE_FROM else ['grey']
    nearest: dict[str, float] = {}
    for name, point in _POINTS:
        d = delta_e(lab, point)
        if d < nearest.get(name, float('inf')):
            nearest[name] = d
    best = min(nearest.values())
    if best > MATCH_DISTANCE:
        return []
    close = [(d, name) for name, d in nearest.items() if d <= best + NAME_MARGIN]
    return [name for _, name in sorted(close)][:2]


def names_for(hex_colors: Sequence[str]) -> list[str]:
    """The named colours an image's dominant colours match, most dominant first, no repeats.

    Malformed entries are skipped (colours come from the database, not from users).
    """
    found: list[str] = []
    for color in hex_colors:
        try:
            names = names_of(color)
        except ValueError:
            continue
        found.extend(name for name in names if name not in found)
    return found


def matches(hex_colors: Sequence[str], name: str) -> bool:
    """Whether an image with these dominant colours matches a palette name (or alias)."""
    canonical = color_name(name)
    if canonical is None:
        raise ValueError(f'Unknown colour {name!r}; choose from {", ".join(PALETTE)}')
    return canonical in names_for(hex_colors)


__all__ = [
    'MATCH_DISTANCE',
    'NAME_MARGIN',
    'NEUTRAL_CHROMA',
    'PALETTE',
    'color_name',
    'matches',
    'names_for',
    'names_of',
]
