"""Search through the Library: what a person typing in the search box would expect."""

from __future__ import annotations

import time

import pytest

from repo.core.errors import Invalid
from repo.core.schemas import ImageUpdate
from tests import images


@pytest.fixture
def add(library, alice):
    counter = iter(range(1000))

    def add(title: str, description: str = '', tags=(), visibility='public'):
        return library.add(
            alice.id,
            images.image_bytes(seed=next(counter)),
            f'{title}.jpg',
            title=title,
            description=description,
            tags=tags,
            visibility=visibility,
        )

    return add


def titles(page) -> list[str]:
    return [i.title for i in page.items]


def test_case_and_stemming(library, add, alice):
    add('Two Cats sleeping')
    add('A dog running')
    library.wait_for_index()
    assert titles(library.search(alice.id, 'CAT')) == ['Two Cats sleeping']
    assert titles(library.search(alice.id, 'runs')) == ['A dog running']
    assert titles(library.search(None, 'sleep')) == ['Two Cats sleeping']


def test_all_words_rank_before_partial_matches(library, add, alice):
    add('Beach at noon')
    add('Sunset over the beach')
    add('Sunset in the mountains')
    library.wait_for_index()
    page = library.search(alice.id, 'sunset beach')
    assert titles(page)[0] == 'Sunset over the beach'
    assert set(titles(page)) == {
        'Beach at noon',
        'Sunset over the beach',
        'Sunset in the mountains',
    }
    assert page.total == 3


def test_last_word_matches_as_a_prefix_while_typing(library, add, alice):
    add('Lighthouse at dusk')
    add('Light rain')
    library.wait_for_index()
    assert 'Lighthouse at dusk' in titles(library.search(alice.id, 'ligh'))
    assert titles(library.search(alice.id, 'dusk lighth')) == ['Lighthouse at dusk']


def test_description_and_tags_are_searched(library, add, alice):
    add('IMG_0001', description='Grandma baking bread')
    add('IMG_0002', tags=['Kayak'])
    library.wait_for_index()
    assert titles(library.search(alice.id, 'bread')) == ['IMG_0001']
    assert titles(library.search(alice.id, 'kayak')) == ['IMG_0002']


@pytest.mark.parametrize(
    'text',
    [
        '"unclosed',
        '(((',
        '*',
        'title:secret',
        'a AND OR NOT',
        '!!!',
        '🙂🙂',
        '-',
        '[1 TO 9]',
        '\\',
        ' ',
        'x' * 256,
    ],
)
def test_hostile_or_odd_queries_never_raise(library, add, alice, text):
    add('Plain photo')
    library.wait_for_index()
    page = library.search(alice.id, text)
    assert page.total == len(page.items)  # a proper (possibly empty) answer


def test_field_syntax_cannot_reach_private_images(library, add, alice, bob):
    add('secret plans', visibility='private')
    library.wait_for_index()
    assert library.search(bob.id, 'secret').total == 0
    assert library.search(bob.id, 'public:false secret').total == 0
    assert library.search(bob.id, 'owner_id:1 secret').total == 0


def test_over_long_query_is_a_clear_error(library, alice):
    with pytest.raises(Invalid, match='256'):
        library.search(alice.id, 'x' * 257)


def test_edit_and_delete_are_reflected_within_a_second(library, add, alice):
    image = add('Old name')
    library.wait_for_index()
    library.update(alice.id, image.id, ImageUpdate(title='Fresh name'))
    deadline = time.monotonic() + 1.0
    while library.search(alice.id, 'fresh').total == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert titles(library.search(alice.id, 'fresh')) == ['Fresh name']
    assert library.search(alice.id, 'old').total == 0
    library.delete(alice.id, image.id)
    deadline = time.monotonic() + 1.0
    while library.search(alice.id, 'fresh').total and time.monotonic() < deadline:
        time.sleep(0.02)
    assert library.search(alice.id, 'fresh').total == 0


def test_searchable_within_a_second_of_add(library, add, alice):
    add('Zebra crossing')
    deadline = time.monotonic() + 1.0
    while library.search(alice.id, 'zebra').total == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert titles(library.search(alice.id, 'zebra')) == ['Zebra crossing']


def test_filters_sort_and_paging(library, add, alice):
    for i in range(5):
        add(f'Harbour view {i}', tags=['boats'] if i % 2 == 0 else [])
    library.wait_for_index()
    assert library.search(alice.id, 'harbour', tags=['boats']).total == 3
    newest = titles(library.search(alice.id, 'harbour', sort='newest', limit=2))
    assert newest == ['Harbour view 4', 'Harbour view 3']
    oldest = library.search(alice.id, 'harbour', sort='oldest', limit=2, offset=1)
    assert titles(oldest) == ['Harbour view 1', 'Harbour view 2'] and oldest.total == 5
    assert library.search(None, 'harbour', owner='alice').total == 5
    assert library.search(None, 'harbour', owner='nobody').total == 0
