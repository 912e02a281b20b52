"""Access rules: public for everyone, private for the owner only; only owners change things."""

from __future__ import annotations

import pytest

from repo.core.errors import Forbidden, ImageNotFound
from repo.core.schemas import ImageUpdate
from tests import images


@pytest.fixture
def gallery(library, alice, bob):
    """alice has a public and a private sunset; bob has a private one."""
    pub = library.add(
        alice.id, images.image_bytes(seed=1), 'sunset public.jpg', visibility='public', tags=['sky']
    )
    priv = library.add(
        alice.id, images.image_bytes(seed=2), 'sunset secret.jpg', tags=['sky', 'secret']
    )
    bobs = library.add(bob.id, images.image_bytes(seed=3), 'sunset bob.jpg', tags=['sky'])
    library.wait_for_index()
    return pub, priv, bobs


def ids(page) -> set[str]:
    return {i.id for i in page.items}


def test_lists_show_public_and_own_only(library, alice, bob, gallery):
    pub, priv, bobs = gallery
    assert ids(library.list(None)) == {pub.id}
    assert library.list(None).total == 1
    assert ids(library.list(alice.id)) == {pub.id, priv.id}
    assert ids(library.list(bob.id)) == {pub.id, bobs.id}
    assert library.list(bob.id, owner='alice').total == 1
    assert library.list(bob.id, tags=['secret']).total == 0
    assert library.list(bob.id, visibility='private').total == 1  # his own


def test_search_shows_public_and_own_only(library, alice, bob, gallery):
    pub, priv, bobs = gallery
    assert ids(library.search(None, 'sunset')) == {pub.id}
    assert ids(library.search(alice.id, 'sunset')) == {pub.id, priv.id}
    assert ids(library.search(bob.id, 'sunset')) == {pub.id, bobs.id}
    assert library.search(bob.id, 'secret').total == 0
    assert library.search(None, 'sunset').total == 1


def test_someone_elses_private_image_is_exactly_like_a_missing_one(library, alice, bob, gallery):
    _, priv, _ = gallery
    for viewer in (bob.id, None):
        for call in (
            lambda v: library.get(v, priv.id),
            lambda v: library.open_file(v, priv.id, 'thumb'),
            lambda v: library.open_file(v, priv.id, 'preview'),
            lambda v: library.open_file(v, priv.id, 'original'),
            lambda v: library.update(v, priv.id, ImageUpdate(title='mine now')),
            lambda v: library.delete(v, priv.id),
        ):
            with pytest.raises(ImageNotFound) as hidden:
                call(viewer)
            with pytest.raises(ImageNotFound) as missing:
                library.get(viewer, 'no-such-image-id-000000')
            assert str(hidden.value) == str(missing.value) == 'Image not found'
    assert library.get(alice.id, priv.id).title == 'sunset secret'


def test_only_the_owner_changes_or_deletes_a_public_image(library, alice, bob, gallery):
    pub, _, _ = gallery
    with pytest.raises(Forbidden):
        library.update(bob.id, pub.id, ImageUpdate(title='taken'))
    with pytest.raises(Forbidden):
        library.delete(bob.id, pub.id)
    with pytest.raises(Forbidden):
        library.update(None, pub.id, ImageUpdate(visibility='private'))
    assert library.delete_many(bob.id, [pub.id]) == 0
    assert library.get(None, pub.id).title == 'sunset public'


def test_originals_go_to_others_only_where_the_owner_allows(library, alice, bob, gallery):
    pub, _, _ = gallery
    assert library.open_file(bob.id, pub.id, 'thumb').media_type == 'image/webp'
    with pytest.raises(ImageNotFound):
        library.open_file(bob.id, pub.id, 'original')
    library.update(alice.id, pub.id, ImageUpdate(allow_download=True))
    assert library.open_file(bob.id, pub.id, 'original').media_type == 'image/jpeg'


def test_visibility_change_takes_effect_everywhere(library, alice, bob, gallery):
    pub, priv, _ = gallery
    library.update(alice.id, priv.id, ImageUpdate(visibility='public'))
    library.update(alice.id, pub.id, ImageUpdate(visibility='private'))
    assert library.open_file(bob.id, priv.id, 'thumb').private is False
    with pytest.raises(ImageNotFound):
        library.open_file(bob.id, pub.id, 'thumb')
    assert ids(library.list(None)) == {priv.id}
    assert library.wait_for_index(1.0)
    assert ids(library.search(None, 'sunset')) == {priv.id}


def test_delete_many_deletes_own_and_skips_the_rest(library, alice, bob, gallery):
    pub, priv, bobs = gallery
    assert library.delete_many(alice.id, [pub.id, priv.id, bobs.id, 'nope']) == 2
    assert ids(library.list(alice.id)) == set()
    assert ids(library.list(bob.id)) == {bobs.id}
    library.wait_for_index()
    assert library.search(alice.id, 'sunset').total == 0
