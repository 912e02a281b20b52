"""Search that forgives: stop words, typing a word letter by letter, and "did you mean"."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from repo.core.schemas import UserPublic
from repo.library import Library
from search_index import IndexDoc, SearchIndex
from search_index.spelling import WORDS_FILE
from tests import images
from tests.api_helpers import bearer, client_for, make_app, token_for, upload

ALICE, BOB = 1, 2


def doc(
    image_id: str, title: str, owner: int = ALICE, public: bool = True, description: str = ''
) -> IndexDoc:
    return IndexDoc(image_id, owner, public, title, description, (), datetime(2024, 5, 1))


def make_index(tmp_path: Path, docs: list[IndexDoc]) -> SearchIndex:
    index = SearchIndex(tmp_path / 'index')
    index.rebuild(docs)
    return index


def ids(index: SearchIndex, text: str, viewer: int | None = ALICE) -> list[str]:
    return index.search(text, viewer_id=viewer).ids


# -- stop words ---------------------------------------------------------------------------------


def test_stop_words_alone_find_what_holds_them(tmp_path: Path) -> None:
    index = make_index(
        tmp_path,
        [
            doc('can', 'Tin can on the shelf'),
            doc('be', 'To be or not to be'),
            doc('may', 'May 2024'),
            doc('other', 'Sunset'),
        ],
    )
    assert ids(index, 'can') == ['can']
    assert ids(index, 'be') == ['be']
    assert ids(index, 'to be') == ['be']
    assert ids(index, 'may') == ['may']


def test_stop_words_beside_other_words_do_not_widen_the_search(tmp_path: Path) -> None:
    index = make_index(
        tmp_path, [doc('beach', 'Sunset over the beach'), doc('the', 'The end of the day')]
    )
    # 'the' is left out beside 'beach', so the page holding only 'the' is no match.
    assert ids(index, 'the beach') == ['beach']
    assert index.search('the beach', viewer_id=ALICE).total == 1


# -- as you type --------------------------------------------------------------------------------


def test_typing_a_word_letter_by_letter_never_drops_to_zero(tmp_path: Path) -> None:
    # Many 'ca...' words, more frequent than 'canon', so that short prefixes expand to others.
    others = [
        doc(f'{word}{n}', word.capitalize())
        for word in ('cat', 'car', 'cake', 'camel', 'cave', 'cable', 'cactus', 'canal', 'candle')
        for n in range(3)
    ]
    index = make_index(tmp_path, [*others, doc('canon', 'Canon camera')])
    typed = 'canon'
    assert index.search(typed[:1], viewer_id=ALICE).total == 0  # one letter: keep typing
    for n in range(2, len(typed) + 1):
        hits = index.search(typed[:n], viewer_id=ALICE)
        assert hits.total > 0, typed[:n]
    assert 'canon' in ids(index, 'can')
    assert ids(index, 'cano') == ['canon']
    assert ids(index, 'canon') == ['canon']


def test_a_prefix_finds_the_viewers_words_when_common_ones_are_private(tmp_path: Path) -> None:
    # Bob's private 'ca...' words are the most frequent; Alice's one 'canon' must still show.
    bobs = [
        doc(f'b{word}{n}', word, owner=BOB, public=False)
        for word in ('cat', 'car', 'cake', 'camel', 'cave', 'cable', 'cactus', 'canal', 'cabin')
        for n in range(5)
    ]
    index = make_index(tmp_path, [*bobs, doc('canon', 'Canon', owner=ALICE, public=False)])
    assert ids(index, 'ca', viewer=ALICE) == ['canon']
    assert ids(index, 'ca', viewer=None) == []  # nothing public: nothing to find
    assert ids(index, 'ca', viewer=BOB) and 'canon' not in ids(index, 'ca', viewer=BOB)


# -- did you mean -------------------------------------------------------------------------------


def test_a_typo_gets_a_suggestion_from_the_indexed_words(tmp_path: Path) -> None:
    index = make_index(
        tmp_path,
        [
            doc('harbour', 'Harbour at dawn'),
            doc('city', 'Beautiful city lights'),
            doc('zurich', 'Café in Zürich'),
        ],
    )
    hits = index.search('hrbour', viewer_id=ALICE)
    assert (hits.ids, hits.total, hits.suggestion) == ([], 0, 'harbour')
    assert index.search('Hrbour at dawn', viewer_id=ALICE).suggestion == 'harbour at dawn'
    assert index.search('beautifull', viewer_id=ALICE).suggestion == 'beautiful'  # not 'beauti'
    assert index.search('citty', viewer_id=ALICE).suggestion == 'city'  # not the stem 'citi'
    assert index.search('zurch', viewer_id=ALICE).suggestion == 'zurich'
    assert index.search('ahrbour', viewer_id=ALICE).suggestion == 'harbour'  # swapped letters
    # Words that match need no correction; nothing close enough gets none.
    assert index.search('harbour', viewer_id=ALICE).suggestion is None
    assert index.search('xylophone', viewer_id=ALICE).suggestion is None
    assert index.search('hrb', viewer_id=ALICE).suggestion is None  # too short to guess


def test_a_suggestion_never_reveals_words_of_someone_elses_private_images(tmp_path: Path) -> None:
    index = make_index(
        tmp_path,
        [
            doc('secret', 'Secret lighthouse', owner=BOB, public=False),
            doc('mine', 'Lighthouses of Maine', owner=ALICE, public=False),
        ],
    )
    assert index.search('secrt', viewer_id=ALICE).suggestion is None
    assert index.search('secrt', viewer_id=BOB).suggestion == 'secret'
    assert index.search('lighthuose', viewer_id=None).suggestion is None
    # A correction is offered only when it finds images of the viewer's: here 'lighthouse' or
    # 'lighthouses' (the same stem), both finding Alice's own image.
    suggestion = index.search('lighthuose', viewer_id=ALICE).suggestion
    assert suggestion in ('lighthouse', 'lighthouses')
    assert ids(index, suggestion, viewer=ALICE) == ['mine']


def test_the_vocabulary_follows_updates_and_survives_reopening(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', 'Harbour')])
    index.apply([doc('b', 'Lighthouse')], [])
    assert index.search('lighthuose', viewer_id=ALICE).suggestion == 'lighthouse'
    index.apply([], ['b'])  # its word stays in the file but is never offered
    assert index.search('lighthuose', viewer_id=ALICE).suggestion is None
    index.apply([doc('c', 'Meadow')], [])
    index.close()

    reopened = SearchIndex(tmp_path / 'index')
    assert reopened.open() is True
    assert reopened.search('meadw', viewer_id=ALICE).suggestion == 'meadow'
    assert reopened.search('hrbour', viewer_id=ALICE).suggestion == 'harbour'
    reopened.close()
    # An index without its vocabulary is reported unusable, so that it gets rebuilt.
    (tmp_path / 'index' / WORDS_FILE).unlink()
    assert SearchIndex(tmp_path / 'index').open() is False


def test_words_added_by_another_process_are_offered_after_its_commit(tmp_path: Path) -> None:
    server = make_index(tmp_path, [doc('a', 'Harbour')])
    assert server.search('meadw', viewer_id=ALICE).suggestion is None
    other = SearchIndex(tmp_path / 'index')  # e.g. `shoebox import` writing to the same folder
    assert other.open() is True
    other.apply([doc('b', 'Meadow')], [])
    other.close()
    server._checked_at = 0.0  # skip the once-a-second freshness check
    assert server.search('meadw', viewer_id=ALICE).suggestion == 'meadow'


# -- through the Library and the API ------------------------------------------------------------


@pytest.fixture
def client(library: Library) -> TestClient:
    return client_for(make_app(library))


def test_the_api_offers_the_suggestion_and_documents_it(
    client: TestClient, library: Library, alice: UserPublic, bob: UserPublic
) -> None:
    alice_token, bob_token = token_for(library, alice), token_for(library, bob)
    harbour = images.image_bytes(seed=1)
    made = upload(client, alice_token, harbour, title='Harbour at dawn', visibility='public')
    assert made.status_code == 201, made.text
    private = upload(
        client, bob_token, images.image_bytes(seed=2), title='Secret garden', visibility='private'
    )
    assert private.status_code == 201, private.text
    library.wait_for_index()

    page = client.get('/api/v1/images', params={'q': 'hrbour'}).json()
    assert (page['items'], page['total'], page['suggestion']) == ([], 0, 'harbour')
    found = client.get('/api/v1/images', params={'q': page['suggestion']}).json()
    assert [i['title'] for i in found['items']] == ['Harbour at dawn']
    assert found['suggestion'] is None
    assert client.get('/api/v1/images', params={'q': 'secrt'}).json()['suggestion'] is None
    as_bob = client.get('/api/v1/images', params={'q': 'secrt'}, headers=bearer(bob_token))
    assert as_bob.json()['suggestion'] == 'secret'
    assert client.get('/api/v1/images').json()['suggestion'] is None  # a listing: no search

    schema = client.get('/openapi.json').json()['components']['schemas']['ImageListOut']
    assert 'suggestion' in schema['properties']
    assert 'Did you mean' in schema['properties']['suggestion']['description']
    assert 'suggestion' not in schema.get('required', [])


def test_library_search_passes_the_suggestion_on(library: Library, alice: UserPublic) -> None:
    library.add(alice.id, images.image_bytes(seed=3), 'x.jpg', title='Lighthouse')
    library.wait_for_index()
    assert library.search(alice.id, 'lighthuose').suggestion == 'lighthouse'
    assert library.search(alice.id, 'lighthouse').suggestion is None
