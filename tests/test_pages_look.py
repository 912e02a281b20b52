"""Finding by look in the web app: search by image, more like this, duplicates, colour filter,
the tags page, tag autocomplete, automatic tags and near-duplicate uploads."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import re

from nicegui import ui
from nicegui.testing import User
from PIL import Image

from repo.core.palette import PALETTE
from repo.core.schemas import ImagePublic, UserPublic
from repo.library import Library
from tests.images import TEXT, encode, picture
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    OTHER_PASSWORD,
    add_image,
    alice,
    bob,
    grid_html,
    input_of,
    library,
    make_account,
    shoebox_env,
    shown_ids,
    sign_in,
    user,
    wait_for,
)
from tests.upload_driver import file as picked
from tests.upload_driver import send


def photo(seed: int, size: tuple[int, int] = (400, 300), quality: int = 90) -> bytes:
    """A 400 x 300 picture per seed, resized to size (a resized copy for another size)."""
    im = picture((400, 300), seed)
    if size != im.size:
        im = im.resize(size, Image.Resampling.LANCZOS)
    return encode(im, 'JPEG', quality=quality)


def solid(name: str) -> bytes:
    rgb = tuple(int(PALETTE[name][i : i + 2], 16) for i in (1, 3, 5))
    return encode(Image.new('RGB', (80, 60), rgb), 'PNG')


def add(library: Library, owner: UserPublic, data: bytes, title: str, **kw: object) -> ImagePublic:
    return library.add(owner.id, data, f'{title}.jpg', title=title, **kw)  # type: ignore[arg-type]


def file(name: str, data: bytes, mime: str = 'image/jpeg') -> ui.upload.FileUpload:
    return ui.upload.SmallFileUpload(name, mime, data)


def element(user: User, marker: str) -> ui.element:
    elements = user.find(marker=marker).elements
    assert len(elements) == 1, f'{len(elements)} elements marked {marker}'
    return next(iter(elements))


def html_of(user: User, marker: str) -> str:
    return element(user, marker).content  # type: ignore[attr-defined]


def tile_ids(html: str) -> list[str]:
    return re.findall(r'class="sb-tile" data-id="([^"]+)"', html)


def first_label(html: str) -> str:
    """The closeness label of the first result tile."""
    return re.findall(r'class="sb-look [^"]*"[^>]*>([^<]+)<', html)[0]


def sees(user: User, marker: str) -> bool:
    try:
        user.find(marker=marker)
    except AssertionError:
        return False
    return True


# ---- search by image ---------------------------------------------------------------------------


async def test_search_by_image_finds_a_resized_copy_first_and_stores_nothing(
    user: User, alice: UserPublic, library: Library
) -> None:
    original = add(library, alice, photo(7), 'Lighthouse')
    for seed in (8, 9, 10):
        add(library, alice, photo(seed), f'Other {seed}', visibility='public')
    await sign_in(user)
    await user.open('/search-by-image')
    uploader = element(user, 'search-uploader')
    assert isinstance(uploader, ui.upload)
    await uploader.handle_uploads([file('small.jpg', photo(7, (200, 150)))])
    await user.should_see('like “small.jpg”, closest first', retries=100)
    html = html_of(user, 'similar-tiles')
    ids = tile_ids(html)
    assert ids[0] == original.id
    assert first_label(html) == 'Same picture'
    assert library.list(alice.id).total == 4  # the query picture was not stored

    await uploader.handle_uploads([file('notes.jpg', TEXT)])
    await user.should_see('This is plain text; Shoebox accepts JPEG', retries=100)
    assert library.list(alice.id).total == 4


async def test_search_by_image_needs_an_account(user: User) -> None:
    await user.open('/search-by-image')
    await user.should_see(marker='signin')


# ---- more like this ----------------------------------------------------------------------------


async def test_the_image_page_shows_more_like_this(
    user: User, alice: UserPublic, library: Library
) -> None:
    original = add(library, alice, photo(11), 'Harbour', visibility='public')
    copy = add(library, alice, photo(11, (200, 150)), 'Harbour small', visibility='public')
    other = add(library, alice, photo(12), 'Forest', visibility='public')
    await user.open(f'/images/{original.id}')  # anyone may see it: signed out
    await user.should_see('More like this')
    ids = tile_ids(html_of(user, 'similar-tiles'))
    assert ids == [copy.id]  # not itself, and not the forest, which looks nothing like it
    assert other.id not in ids
    assert first_label(html_of(user, 'similar-tiles')) == 'Same picture'


async def test_bob_never_sees_alices_private_image_as_similar_or_duplicate(
    user: User, alice: UserPublic, bob: UserPublic, library: Library
) -> None:
    secret = add(library, alice, photo(21), 'Secret')
    mine = add(library, bob, photo(21, (200, 150)), 'Mine', visibility='public')
    add(library, bob, photo(22), 'Another of mine')
    await sign_in(user, 'bob', OTHER_PASSWORD)

    await user.open(f'/images/{mine.id}')
    await user.should_see('More like this')
    # Alice's private original is the only image that looks like it: bob is told there is none.
    await user.should_see(marker='no-similar')
    await user.should_not_see(marker='similar-tiles')

    await user.open('/search-by-image')
    uploader = element(user, 'search-uploader')
    await uploader.handle_uploads([file('q.jpg', photo(21, (300, 225)))])  # type: ignore[attr-defined]
    await user.should_see('closest first', retries=100)
    html = html_of(user, 'similar-tiles')
    assert tile_ids(html)[0] == mine.id and secret.id not in html

    await user.open('/duplicates')
    await user.should_see('No duplicates')
    await user.should_not_see('Secret')


# ---- duplicates --------------------------------------------------------------------------------


async def test_duplicates_groups_own_copies_and_deletes_all_but_the_best(
    user: User, alice: UserPublic, library: Library
) -> None:
    best = add(library, alice, photo(31), 'Big')
    half = add(library, alice, photo(31, (200, 150)), 'Half')
    rough = add(library, alice, photo(31, quality=40), 'Rough')
    keep = add(library, alice, photo(32), 'Unrelated')
    await sign_in(user)
    await user.open('/duplicates')
    await user.should_see('1 group · 2 extra copies')
    assert len(user.find(marker='duplicate-group').elements) == 1
    await user.should_see('Best copy')
    await user.should_see('400 \u00d7 300 px')
    await user.should_not_see('Unrelated')
    checks = [e for e in user.find(marker='duplicate-check').elements]
    assert len(checks) == 3 and not any(c.value for c in checks)  # type: ignore[attr-defined]

    user.find(marker='select-rest').click()
    await user.should_see('2 images selected')
    user.find(marker='delete-duplicates').click()
    await user.should_see('Delete 2 images?', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see('Deleted 2 images.', retries=50)
    await user.should_see('No duplicates', retries=50)
    left = {i.id for i in library.list(alice.id).items}
    assert left == {best.id, keep.id}
    assert half.id not in left and rough.id not in left


async def test_deleting_duplicates_asks_with_the_pictures_in_view(
    user: User, alice: UserPublic, library: Library
) -> None:
    best = add(library, alice, photo(41), 'Big')
    half = add(library, alice, photo(41, (200, 150)), 'Half')
    await sign_in(user)
    await user.open('/duplicates')
    await user.should_see('1 group · 1 extra copy')
    # Side by side and whole: the cards show the thumbnails uncropped (see .sb-dup-link img).
    cards = ''.join(e.content for e in user.find(ui.html).elements if 'sb-dup-link' in e.content)
    assert f'/api/v1/images/{best.id}/thumbnail' in cards
    assert f'/api/v1/images/{half.id}/thumbnail' in cards
    user.find(marker='select-rest').click()
    user.find(marker='delete-duplicates').click()
    await user.should_see('Delete 1 image?', retries=30)
    await user.should_see('They go to the trash, where you can restore them for 30 days.')
    dialog = element(user, 'confirm')
    shown = ''.join(e.content for e in dialog.descendants() if isinstance(e, ui.html))
    assert f'/api/v1/images/{half.id}/thumbnail' in shown and '<b>Delete</b> · Half' in shown
    assert f'/api/v1/images/{best.id}/thumbnail' in shown and '<b>Keep</b> · Big' in shown
    user.find('Cancel').click()
    await user.should_not_see('Delete 1 image?', retries=30)
    assert library.get(alice.id, half.id).id == half.id  # nothing is deleted on cancel


async def test_duplicates_needs_an_account(user: User) -> None:
    await user.open('/duplicates')
    await user.should_see(marker='signin')


# ---- colour ------------------------------------------------------------------------------------


async def test_a_colour_swatch_narrows_the_gallery_and_is_kept_in_the_url(
    user: User, alice: UserPublic, library: Library
) -> None:
    blue = add(library, alice, solid('blue'), 'Blue', visibility='public', tags=['sky'])
    red = add(library, alice, solid('red'), 'Red', visibility='public', tags=['sky'])
    add(library, alice, solid('yellow'), 'Yellow', visibility='public')
    assert blue.color_names == ['blue'] and red.color_names == ['red']
    await user.open('/')
    await user.should_see('3 images')
    user.find(marker='color-blue').click()
    await wait_for(lambda: shown_ids(user) == [blue.id])
    await user.should_see('1 image · blue')
    assert f'href="/images/{blue.id}?color=blue&amp;i=0"' in grid_html(user)  # arrows keep it
    assert element(user, 'color-blue').props['aria-pressed'] == 'true'
    user.find(marker='color-blue').click()  # again: every colour
    await wait_for(lambda: len(shown_ids(user)) == 3)

    await user.open('/?color=red&tags=sky')  # combined with a tag
    await wait_for(lambda: shown_ids(user) == [red.id])
    await user.open('/?color=yellow&tags=sky')
    await user.should_see('No images with yellow have all of these tags')
    await user.open('/?color=nonsense')  # unknown: ignored
    await wait_for(lambda: len(shown_ids(user)) == 3)


async def test_the_image_page_links_its_named_colours_to_the_gallery(
    user: User, alice: UserPublic, library: Library
) -> None:
    blue = add(library, alice, solid('blue'), 'Blue', visibility='public')
    add(library, alice, solid('green'), 'Green', visibility='public')
    await user.open(f'/images/{blue.id}')
    facts = html_of(user, 'facts')
    assert 'href="/?color=blue"' in facts and 'class="sb-swatch"' in facts
    await user.open('/?color=blue')
    await wait_for(lambda: shown_ids(user) == [blue.id])


# ---- tags --------------------------------------------------------------------------------------


async def test_the_tags_page_counts_only_what_the_viewer_may_see(
    user: User, create_user, alice: UserPublic, bob: UserPublic, library: Library
) -> None:
    add(library, alice, photo(41, (96, 64)), 'A', visibility='public', tags=['beach'])
    add(library, alice, photo(42, (96, 64)), 'B', visibility='public', tags=['beach', 'zoo'])
    add(library, alice, photo(43, (96, 64)), 'C', tags=['beach', 'alices-secret'])

    await user.open('/tags')  # signed out
    html = html_of(user, 'tag-list')
    assert '<span class="sb-tag-name">beach</span><span class="sb-tag-count"' in html
    assert 'aria-label="2 images">2</span>' in html
    assert 'alices-secret' not in html
    assert 'href="/?tags=beach"' in html

    other = create_user()
    await sign_in(other, 'bob', OTHER_PASSWORD)
    await other.open('/tags')
    assert 'alices-secret' not in html_of(other, 'tag-list')

    await sign_in(user)
    await user.open('/tags')
    html = html_of(user, 'tag-list')
    assert 'alices-secret' in html and 'aria-label="3 images">3</span>' in html
    names = re.findall(r'class="sb-tag-name">([^<]+)<', html)
    assert names[0] == 'beach'  # the most used first
    element(user, 'tag-sort').value = 'name'  # type: ignore[attr-defined]
    await wait_for(
        lambda: re.findall(r'sb-tag-name">([^<]+)<', html_of(user, 'tag-list')) == sorted(names)
    )
    input_of(user, 'tag-filter-input').value = 'zo'
    await wait_for(
        lambda: re.findall(r'sb-tag-name">([^<]+)<', html_of(user, 'tag-list')) == ['zoo']
    )


async def test_the_tags_page_has_an_empty_state(user: User) -> None:
    await user.open('/tags')
    await user.should_see('No tags yet')


async def test_tags_autocomplete_from_existing_tags_in_the_upload_and_the_editor(
    user: User, alice: UserPublic, bob: UserPublic, library: Library
) -> None:
    add(library, bob, photo(51), 'Bob public', visibility='public', tags=['beach'])
    add(library, bob, photo(52), 'Bob private', tags=['bees-private'])
    image = add(library, alice, photo(53), 'Mine', tags=['bench'])
    await sign_in(user)
    await user.open('/upload')
    user.find(marker='upload-tags').type('holiday, be')
    await user.should_see(marker='tag-suggestion', retries=50)
    field = input_of(user, 'upload-tags')
    assert set(field.props['_autocomplete']) == {'holiday, beach', 'holiday, bench'}
    suggestions = {c.text for c in user.find(marker='tag-suggestion').elements}  # type: ignore[attr-defined]
    assert suggestions == {'beach', 'bench'}  # never bob's private tag
    user.find(marker='tag-suggestion', content='beach').click()
    assert field.value == 'holiday, beach, '

    await user.open(f'/images/{image.id}')
    user.find(marker='edit').click()
    chips = element(user, 'edit-tags')
    assert isinstance(chips, ui.input_chips)
    user.find(marker='edit-tags').trigger('inputValue', 'be')  # Quasar's input-value
    await wait_for(lambda: chips.props.get('options') == ['beach'])  # 'bench' is already there


# ---- automatic tags ----------------------------------------------------------------------------


async def test_automatic_tags_look_different_and_the_owner_can_remove_them(
    user: User, create_user, alice: UserPublic, library: Library
) -> None:
    image = add(library, alice, solid('blue'), 'Sky', visibility='public', tags=['mine'])
    assert {'landscape', 'blue'} <= set(image.auto_tags)

    other = create_user()  # a visitor sees them marked too, but cannot remove them
    await other.open(f'/images/{image.id}')
    auto = {c.text: c for c in other.find(marker='auto-tag').elements}  # type: ignore[attr-defined]
    assert {'landscape', 'blue'} <= set(auto) and 'mine' not in auto
    assert not any(c.props['removable'] for c in auto.values())
    await other.should_see('Added automatically by Shoebox from the image itself')

    await sign_in(user)
    await user.open(f'/images/{image.id}')
    assert {c.text for c in user.find(marker='tag').elements} == {'mine'}  # type: ignore[attr-defined]
    chip = next(c for c in user.find(marker='auto-tag').elements if c.text == 'landscape')  # type: ignore[attr-defined]
    assert chip.props['removable']
    chip.value = False  # the chip's remove button
    await user.should_see('Removed the tag “landscape”', retries=50)
    changed = library.get(alice.id, image.id)
    assert (
        'landscape' not in changed.tags and 'blue' in changed.auto_tags and 'mine' in changed.tags
    )


# ---- near-duplicate uploads --------------------------------------------------------------------


async def test_a_near_duplicate_upload_is_added_and_flagged(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/upload')
    await send(user, [picked('first.jpg', photo(61))])  # as the page's uploader sends it
    await wait_for(lambda: sees(user, 'result-added'), 20)
    assert not sees(user, 'looks-like')
    await send(user, [picked('smaller.jpg', photo(61, (200, 150)))])
    await wait_for(lambda: sees(user, 'looks-like'), 20)
    await user.should_see('2 added')
    first = next(i for i in library.list(alice.id).items if i.title == 'first')
    link = element(user, 'looks-like-link')
    assert link.props['href'] == f'/images/{first.id}' and link.text == 'first'  # type: ignore[attr-defined]
    assert library.list(alice.id).total == 2
