"""repo.core.palette: generated solid and mixed images, through the real upload pipeline, match the
colour names a person would use; near misses land on the sensible side."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from repo.core.cielab import delta_e, hex_to_lab, srgb_to_lab
from repo.core.palette import PALETTE, color_name, matches, names_for, names_of
from repo.imaging import ImageFacts, process_image


def dominant(im: Image.Image, tmp_path: Path, fmt: str = 'PNG') -> tuple[str, ...]:
    path = tmp_path / f'upload.{fmt.lower()}'
    im.save(path, fmt, **({'quality': 90} if fmt == 'JPEG' else {}))
    facts = process_image(str(path), None, None, max_pixels=10_000_000)
    assert isinstance(facts, ImageFacts), facts
    return facts.colors


def solid(color: str, size: tuple[int, int] = (300, 200)) -> Image.Image:
    return Image.new('RGB', size, color)


def split(left: str, right: str, share: float = 0.5) -> Image.Image:
    im = solid(left, (400, 300))
    ImageDraw.Draw(im).rectangle((round(400 * share), 0, 400, 300), fill=right)
    return im


def test_a_solid_blue_image_is_blue_and_not_red(tmp_path):
    colors = dominant(solid('#0000ff'), tmp_path, 'JPEG')
    assert matches(colors, 'blue')
    assert not matches(colors, 'red')
    assert names_for(colors) == ['blue']


def test_half_red_half_white_matches_both(tmp_path):
    colors = dominant(split('#ff0000', '#ffffff'), tmp_path, 'JPEG')
    assert matches(colors, 'red') and matches(colors, 'white')
    assert not matches(colors, 'blue') and not matches(colors, 'pink')


@pytest.mark.parametrize(
    ('color', 'name'),
    [
        ('#000000', 'black'),
        ('#1a1a1a', 'black'),
        ('#404040', 'grey'),
        ('#808080', 'grey'),
        ('#c0c0c0', 'grey'),
        ('#f2f2f2', 'white'),
        ('#ffffff', 'white'),
        ('#7f8590', 'grey'),  # a cool cast on a grey wall is still grey
        ('#fffdf5', 'white'),  # warm white paper
    ],
)
def test_black_grey_and_white_are_told_apart_by_lightness(tmp_path, color, name):
    colors = dominant(solid(color), tmp_path)
    assert names_for(colors) == [name]


@pytest.mark.parametrize(
    ('color', 'name', 'not_names'),
    [
        ('#000080', 'blue', ['black', 'purple']),  # navy
        ('#87a9c8', 'blue', ['grey']),  # a hazy sky
        ('#1e5aa0', 'blue', ['purple']),  # denim: where CIELAB's blue bends toward purple
        ('#6b5b95', 'purple', ['blue']),  # a muted violet
        ('#4a3020', 'brown', ['black', 'orange']),  # dark brown
        ('#8b4513', 'brown', ['orange', 'red']),  # saddle brown
        ('#d2b48c', 'brown', ['white', 'yellow']),  # tan
        ('#ff8c00', 'orange', ['red', 'yellow', 'brown']),
        ('#ffd700', 'yellow', ['orange']),  # gold
        ('#808000', 'green', ['yellow', 'brown']),  # olive
        ('#228b22', 'green', ['teal']),  # forest
        ('#008080', 'teal', ['green']),
        ('#800080', 'purple', ['pink', 'red']),
        ('#ffc0cb', 'pink', ['white', 'red']),
        ('#ff00ff', 'pink', []),  # magenta
        ('#800000', 'red', ['black']),  # maroon
        ('#dc143c', 'red', ['pink']),  # crimson
    ],
)
def test_named_shades_and_near_misses(tmp_path, color, name, not_names):
    colors = dominant(solid(color), tmp_path)
    assert matches(colors, name), names_for(colors)
    for other in not_names:
        assert not matches(colors, other), names_for(colors)


def test_a_mixed_image_matches_each_sizeable_colour_and_not_slivers(tmp_path):
    im = solid('#2e8b57', (400, 300))  # sea green
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, 400, 100), fill='#87ceeb')  # sky blue band, a third
    draw.rectangle((0, 290, 400, 300), fill='#ff0000')  # a red line, ~3% minus edges
    draw.rectangle((390, 100, 400, 290), fill='#ffff00')  # a yellow sliver, ~1.6%
    colors = dominant(im, tmp_path)
    names = names_for(colors)
    assert names[:2] == ['green', 'blue']
    assert 'yellow' not in names


def test_matches_accepts_aliases_and_refuses_unknown_names():
    assert matches(['#808080'], 'Gray')
    assert matches(['#808080'], ' grey ')
    assert color_name('GREY') == 'grey' and color_name('beige') is None
    with pytest.raises(ValueError, match='Unknown colour'):
        matches(['#808080'], 'beige')


def test_malformed_colours_are_skipped():
    assert names_for(['', 'blue', '#12345', '#0000ff']) == ['blue']


def test_the_palette_has_twelve_swatches_and_each_is_its_own_name():
    assert list(PALETTE) == [
        'red',
        'orange',
        'yellow',
        'green',
        'teal',
        'blue',
        'purple',
        'pink',
        'brown',
        'black',
        'grey',
        'white',
    ]
    for name, swatch in PALETTE.items():
        assert names_of(swatch)[0] == name


def test_every_colour_gets_a_name():
    for rgb in itertools.product(range(0, 256, 15), repeat=3):
        assert names_of('#{:02x}{:02x}{:02x}'.format(*rgb)), rgb


def test_at_most_two_names_and_only_for_colours_in_between():
    two = 0
    for rgb in itertools.product(range(0, 256, 15), repeat=3):
        names = names_of('#{:02x}{:02x}{:02x}'.format(*rgb))
        assert len(names) <= 2
        two += len(names) == 2
    assert two < 0.3 * 18**3


def test_lab_conversion_matches_reference_values():
    # Reference values (D65, 2 degrees) from the CIE formulas, as published by Bruce Lindbloom.
    for rgb, lab in [
        ((255, 255, 255), (100.0, 0.0, 0.0)),
        ((0, 0, 0), (0.0, 0.0, 0.0)),
        ((255, 0, 0), (53.24, 80.09, 67.20)),
        ((0, 0, 255), (32.30, 79.19, -107.86)),
        ((128, 128, 128), (53.59, 0.0, 0.0)),
    ]:
        assert delta_e(srgb_to_lab(rgb), lab) < 0.05
    assert hex_to_lab('#ff0000') == srgb_to_lab((255, 0, 0))
