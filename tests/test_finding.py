"""Finding by look: similar images, search by image, near-duplicates, colours, tag counts."""

from __future__ import annotations

import pytest
from PIL import Image as PILImage

from repo.core.errors import ImageNotFound, Invalid, TooLarge, UnsupportedType
from repo.core.schemas import ImageUpdate
from repo.similarity import NEAR_DUPLICATE_DISTANCE, SIMILAR_DISTANCE
from tests import images


def photo(seed: int, size=(640, 480)) -> PILImage.Image:
    return images.picture(size, seed)


def solid(colour: tuple[int, int, int], size=(200, 150)) -> bytes:
    return images.encode(PILImage.new('RGB', size, colour), 'PNG')


def test_a_resized_copy_is_the_closest_match_and_the_image_itself_is_left_out(library, alice):
    original = library.add(alice.id, images.encode(photo(1), 'JPEG'), 'boat.jpg')
    for seed in range(2, 8):
        library.add(alice.id, images.encode(photo(seed), 'JPEG'), f'other{seed}.jpg')
    smaller = images.encode(photo(1).resize((320, 240)), 'JPEG', quality=40)
    copy = library.add(alice.id, smaller, 'boat-small.jpg')
    assert copy.looks_like == original.id  # flagged at upload, but still added

    page = library.similar(alice.id, original.id, limit=3)
    assert page.items[0].image.id == copy.id
    assert original.id not in [i.image.id for i in page.items]
    # The six unrelated photos do not look like it, so they are not listed at all.
    assert [i.image.id for i in page.items] == [copy.id]

    found = library.search_by_image(alice.id, smaller, limit=3)
    assert found.items[0].image.id == copy.id and found.items[0].distance == 0


def test_similar_results_never_include_someone_elses_private_image(library, alice, bob):
    secret = library.add(alice.id, images.encode(photo(11), 'JPEG'), 'secret.jpg')
    near = images.encode(photo(11).resize((320, 240)), 'JPEG', quality=50)
    bobs = library.add(bob.id, near, 'mine.jpg', visibility='public')
    assert bobs.looks_like is None  # only one's own images count as near-duplicates
    assert secret.id not in [i.image.id for i in library.similar(bob.id, bobs.id).items]
    assert secret.id not in [i.image.id for i in library.search_by_image(bob.id, near).items]
    assert secret.id not in [i.image.id for i in library.search_by_image(None, near).items]
    with pytest.raises(ImageNotFound):
        library.similar(bob.id, secret.id)

    library.update(alice.id, secret.id, ImageUpdate(visibility='public'))
    assert secret.id in [i.image.id for i in library.similar(bob.id, bobs.id).items]
    library.delete(alice.id, secret.id)
    assert secret.id not in [i.image.id for i in library.similar(bob.id, bobs.id).items]


@pytest.mark.parametrize(
    ('data', 'error'),
    [
        (images.TEXT, UnsupportedType),
        (images.flat_png_bomb(), TooLarge),
        (images.truncated_jpeg(), Invalid),
        (b'', Invalid),
    ],
    ids=['text', 'bomb', 'truncated', 'empty'],
)
def test_bad_query_images_get_the_uploads_errors_and_nothing_is_kept(library, alice, data, error):
    with pytest.raises(error):
        library.search_by_image(alice.id, data)
    assert not [p for p in library.settings.tmp_dir.iterdir()]
    assert not [p for p in library.settings.blobs_dir.rglob('*') if p.is_file()]


def test_oversized_query_image_is_refused(make_library, settings, alice):
    lib = make_library(settings.with_(max_file_bytes=5000))
    big = images.encode(images.noise((100, 100)), 'PNG')
    with pytest.raises(TooLarge):
        lib.search_by_image(None, big)


def test_duplicate_groups_are_per_owner(library, alice, bob):
    a1 = library.add(alice.id, images.encode(photo(21), 'JPEG'), 'a.jpg', visibility='public')
    a2 = library.add(alice.id, images.encode(photo(21), 'PNG'), 'a.png')
    library.add(alice.id, images.encode(photo(22), 'JPEG'), 'other.jpg')
    library.add(bob.id, images.encode(photo(21).resize((320, 240)), 'JPEG'), 'b.jpg')
    groups = library.duplicates(alice.id)
    assert [sorted(i.id for i in g) for g in groups] == [sorted([a1.id, a2.id])]
    assert library.duplicates(bob.id) == []


def test_colour_filter_matches_by_look_not_exact_hex(library, alice):
    navy = library.add(alice.id, solid((20, 40, 140)), 'navy sea.png', visibility='public')
    sky = library.add(alice.id, solid((90, 150, 230)), 'sky sea.png', visibility='public')
    red = library.add(alice.id, solid((200, 30, 30)), 'red sea.png', visibility='public')
    library.wait_for_index()
    blue_ids = {i.id for i in library.list(None, color='blue').items}
    assert blue_ids == {navy.id, sky.id}
    assert {i.id for i in library.list(None, color='red').items} == {red.id}
    assert {i.id for i in library.search(None, 'sea', color='blue').items} == {navy.id, sky.id}
    assert 'blue' in library.get(None, navy.id).color_names
    with pytest.raises(Invalid, match='Unknown colour'):
        library.list(None, color='ultraviolet')


def test_automatic_tags_are_marked_searchable_and_removable(library, alice):
    wide = library.add(alice.id, solid((200, 30, 30), size=(900, 300)), 'x.png', tags=['mine'])
    assert {'landscape', 'panorama', 'red'} <= set(wide.auto_tags)
    assert 'mine' in wide.tags and 'mine' not in wide.auto_tags
    tall = library.add(alice.id, solid((20, 160, 40), size=(300, 500)), 'y.png')
    assert 'portrait' in tall.auto_tags
    library.wait_for_index()
    assert [i.id for i in library.search(alice.id, 'panorama').items] == [wide.id]

    kept = [t for t in wide.tags if t != 'panorama']
    changed = library.update(alice.id, wide.id, ImageUpdate(tags=kept))
    assert 'panorama' not in changed.tags
    assert set(changed.auto_tags) == set(wide.auto_tags) - {'panorama'}


def test_tag_counts_only_count_what_the_viewer_may_see(library, alice, bob):
    library.add(alice.id, images.image_bytes(seed=31), 'a.jpg', tags=['trip', 'diary'])
    library.add(alice.id, images.image_bytes(seed=32), 'b.jpg', tags=['trip'], visibility='public')
    library.add(bob.id, images.image_bytes(seed=33), 'c.jpg', tags=['trip'], visibility='public')
    counts = {t.name: t.count for t in library.tags(bob.id)}
    assert counts['trip'] == 2 and 'diary' not in counts
    mine = {t.name: t.count for t in library.tags(alice.id)}
    assert mine['trip'] == 3 and mine['diary'] == 1
    assert [t.name for t in library.tags(alice.id, prefix='di')] == ['diary']
    by_name = [t.name for t in library.tags(None, sort='name')]
    assert by_name == sorted(by_name) and 'diary' not in by_name


def test_turned_and_mirrored_copies_are_more_like_this_and_unrelated_images_are_not(library, alice):
    original = library.add(alice.id, images.encode(photo(31), 'JPEG'), 'pier.jpg')
    turns = {
        'rot90': PILImage.Transpose.ROTATE_90,
        'rot180': PILImage.Transpose.ROTATE_180,
        'rot270': PILImage.Transpose.ROTATE_270,
        'mirror': PILImage.Transpose.FLIP_LEFT_RIGHT,
    }
    copies = {
        kind: library.add(alice.id, images.encode(photo(31).transpose(t), 'JPEG'), f'{kind}.jpg')
        for kind, t in turns.items()
    }
    unrelated = [
        library.add(alice.id, images.encode(photo(seed), 'JPEG'), f'other{seed}.jpg')
        for seed in (32, 33, 34)
    ]

    page = library.similar(alice.id, original.id)
    assert {i.image.id for i in page.items} == {c.id for c in copies.values()}
    assert all(i.distance <= NEAR_DUPLICATE_DISTANCE for i in page.items)  # 'Same picture'
    assert page.total == 4

    rotated = images.encode(photo(31).transpose(turns['rot90']).resize((240, 320)), 'JPEG')
    found = library.search_by_image(alice.id, rotated)
    assert {i.image.id for i in found.items} == {original.id, *(c.id for c in copies.values())}
    assert found.items[0].image.id == copies['rot90'].id  # the same way round comes first
    assert all(i.distance <= SIMILAR_DISTANCE for i in found.items)

    # An image nothing looks like has an honest empty answer, not its least unlike neighbours.
    lonely = library.similar(alice.id, unrelated[0].id)
    assert (lonely.items, lonely.total) == ([], 0)
