"""repo.autotags: the tags an image gives itself — colours, orientation, year, camera make —
from generated images through the real upload pipeline, and always valid tag names."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from repo.autotags import auto_tags, camera_make, orientation_tags
from repo.core.validation import MAX_TAG
from repo.imaging import ImageFacts, process_image


def upload(im: Image.Image, tmp_path: Path, exif: Image.Exif | None = None) -> ImageFacts:
    path = tmp_path / 'upload.jpg'
    im.save(path, 'JPEG', quality=90, **({'exif': exif} if exif is not None else {}))
    facts = process_image(str(path), None, None, max_pixels=10_000_000)
    assert isinstance(facts, ImageFacts), facts
    return facts


def exif(make: str | None, model: str | None, taken: str | None, orientation: int = 1):
    data = Image.Exif()
    if make:
        data[0x010F] = make
    if model:
        data[0x0110] = model
    data[0x0112] = orientation
    if taken:
        data.get_ifd(0x8769)[0x9003] = taken
    return data


def facts(**changes) -> ImageFacts:
    base = {
        'format': 'JPEG',
        'width': 1200,
        'height': 800,
        'taken_at': None,
        'camera': None,
        'colors': (),
        'dhash': 0,
    }
    return ImageFacts(**{**base, **changes})


def test_a_blue_canon_photo_from_2019(tmp_path):
    im = Image.new('RGB', (1200, 800), '#1e5aa0')
    ImageDraw.Draw(im).rectangle((0, 600, 1200, 800), fill='#ffffff')
    got = upload(im, tmp_path, exif('Canon', 'Canon EOS 5D', '2019:07:04 10:11:12'))
    assert auto_tags(got) == ['blue', 'white', 'landscape', '2019', 'canon']


def test_rotated_by_exif_becomes_portrait(tmp_path):
    im = Image.new('RGB', (1200, 800), '#2e8b57')
    got = upload(im, tmp_path, exif('NIKON CORPORATION', 'NIKON D750', None, orientation=6))
    assert auto_tags(got) == ['green', 'portrait', 'nikon']


def test_no_exif_means_no_year_and_no_make(tmp_path):
    got = upload(Image.new('RGB', (600, 600), '#808080'), tmp_path)
    assert auto_tags(got) == ['grey', 'square']


def test_panorama_keeps_its_orientation(tmp_path):
    got = upload(Image.new('RGB', (2400, 800), '#000000'), tmp_path)
    assert auto_tags(got) == ['black', 'landscape', 'panorama']


@pytest.mark.parametrize(
    ('size', 'expected'),
    [
        ((1200, 800), ['landscape']),
        ((800, 1200), ['portrait']),
        ((1000, 1000), ['square']),
        ((1000, 1049), ['square']),  # within 5%
        ((1049, 1000), ['square']),
        ((1000, 1060), ['portrait']),
        ((1999, 1000), ['landscape']),
        ((2000, 1000), ['landscape', 'panorama']),
        ((1000, 3000), ['portrait', 'panorama']),
        ((0, 100), []),
    ],
)
def test_orientation(size, expected):
    assert orientation_tags(*size) == expected


@pytest.mark.parametrize(
    ('camera', 'make'),
    [
        ('Canon EOS 5D', 'canon'),
        ('NIKON D750', 'nikon'),
        ('Apple iPhone 15', 'apple'),
        ('OLYMPUS IMAGING CORP. E-M10', 'olympus'),
        ('SONY,ILCE-7M3', 'sony'),
        ('"Leica" M10', 'leica'),
        ('', None),
        (None, None),
        ('  ,  ', None),
    ],
)
def test_camera_make(camera, make):
    assert camera_make(camera) == make


def test_year_comes_from_taken_at_and_nonsense_years_are_dropped():
    assert '2019' in auto_tags(facts(taken_at=datetime(2019, 12, 31, 23, 59)))
    assert auto_tags(facts(taken_at=datetime(1, 1, 1))) == ['landscape']


def test_tags_are_always_valid_and_unique():
    odd = facts(
        width=500,
        height=500,
        colors=('#ff0000', '#fe0101', 'nonsense', '#00ffff'),
        camera='X' * 80 + ' model',  # a make too long to be a tag is left out
        taken_at=datetime(2020, 5, 1),
    )
    tags = auto_tags(odd)
    assert tags[0] == 'red' and tags.count('red') == 1
    assert 'square' in tags and '2020' in tags
    for tag in tags:
        assert tag == tag.lower().strip() and 1 <= len(tag) <= MAX_TAG and ',' not in tag
    assert not any(tag.startswith('xxx') for tag in tags)
