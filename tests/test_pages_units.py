"""The pure helpers of the web app: safe redirects, highlighting, URL state, tile markup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pages.gallery_query import GalleryQuery
from pages.markup import file_size, highlight, search_terms, selection_css, tile
from pages.session import safe_next, sign_in_url
from repo.core.schemas import ImagePublic
from repo.core.visibility import Visibility


@pytest.mark.parametrize(
    ('target', 'expected'),
    [
        ('/upload', '/upload'),
        ('/?q=sun&tags=a,b', '/?q=sun&tags=a,b'),
        ('//evil.example', '/'),
        ('https://evil.example/', '/'),
        ('/\\evil.example', '/'),
        ('javascript:alert(1)', '/'),
        ('upload', '/'),
        ('/signin?next=/x', '/'),
        ('/ok\r\nSet-Cookie: x', '/'),
        ('', '/'),
        (None, '/'),
    ],
)
def test_safe_next_allows_same_site_paths_only(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_sign_in_url_carries_the_way_back() -> None:
    assert sign_in_url('/upload') == '/signin?next=/upload'
    assert sign_in_url('/') == '/signin'
    assert sign_in_url('//evil') == '/signin'


def test_highlight_escapes_first_and_never_matches_inside_entities() -> None:
    assert highlight('Sunset & sunsets', ['sunset']) == (
        '<mark>Sunset</mark> &amp; <mark>sunsets</mark>'
    )
    assert highlight('<b>amp</b>', ['amp']) == '&lt;b&gt;<mark>amp</mark>&lt;/b&gt;'
    assert highlight('<script>', []) == '&lt;script&gt;'
    assert search_terms('Sunset, "bay" a') == ['sunset', 'bay']


def test_gallery_query_round_trips_through_the_url() -> None:
    query = GalleryQuery.from_params('  sun  ', 'mine', 'Beach, family,beach', 'oldest')
    assert query == GalleryQuery('sun', 'mine', ('beach', 'family'), 'oldest')
    assert query.url() == '/?q=sun&scope=mine&tags=beach%2Cfamily&sort=oldest'
    assert GalleryQuery.from_params(None, 'bogus', None, 'sideways') == GalleryQuery()
    assert GalleryQuery().url() == '/'
    assert GalleryQuery(text='x').effective_sort == 'relevance'
    assert GalleryQuery(sort='relevance').effective_sort == 'newest'


def image(**overrides: object) -> ImagePublic:
    now = datetime.now(UTC)
    values: dict[str, object] = {
        'id': 'abcDEF123_-xyz',
        'title': 'Title',
        'description': '',
        'tags': [],
        'visibility': Visibility.private,
        'owner': 'alice',
        'owner_id': 1,
        'filename': 'a.jpg',
        'format': 'JPEG',
        'width': 10,
        'height': 10,
        'size_bytes': 100,
        'sha256': '0' * 64,
        'colors': ['#112233'],
        'created_at': now,
        'updated_at': now,
    }
    values.update(overrides)
    return ImagePublic(**values)  # type: ignore[arg-type]


def test_a_tile_escapes_user_text_and_drops_unsafe_values() -> None:
    html = tile(
        image(title='"><script>x</script>', colors=['red;background:url(x)']),
        '/images/abc?q="x"',
        0,
        [],
        selectable=True,
    )
    assert '<script>' not in html
    assert '&quot;&gt;&lt;script&gt;' in html
    assert 'url(x)' not in html and 'background:#9e9e9e' in html
    assert 'href="/images/abc?q=&quot;x&quot;"' in html
    assert 'class="sb-check"' in html and 'class="sb-badge"' in html
    assert tile(image(id='bad"id'), '/', 0, [], selectable=False) == ''


def test_selection_css_only_takes_well_formed_ids() -> None:
    css = selection_css(['abc', 'x"]{}body{display:none}'])
    assert '[data-id="abc"]' in css and 'display:none' not in css
    assert selection_css([]) == ''


def test_file_sizes_read_naturally() -> None:
    assert [file_size(n) for n in (999, 1500, 52_000_000)] == ['999 bytes', '1.5 KB', '52.0 MB']
