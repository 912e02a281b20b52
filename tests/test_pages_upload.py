"""The upload page: batch settings, then one result per file (added, duplicate, refused).

The page's uploader runs in the browser (pages/bulk_uploader.js); here tests/upload_driver.py
sends the files the way it does, and the page shows what the server noted for each one.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from repo.core.schemas import UserPublic
from repo.core.visibility import Visibility
from repo.library import Library
from tests.images import SVG, encode, heic_bytes, image_bytes, noise, own_tags, truncated_jpeg
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    alice,
    bob,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
    wait_for,
)
from tests.upload_driver import count, file, report, rows, send, uploader


async def test_upload_needs_an_account(user: User) -> None:
    await user.open('/upload')
    await user.should_see(marker='signin')


async def test_each_file_gets_its_own_result(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/upload')
    photo = image_bytes('JPEG', seed=1)
    await send(
        user,
        [
            file('beach.jpg', photo),
            file('not-a-picture.svg', SVG, 'image/svg+xml'),
            file('broken.jpg', truncated_jpeg()),
            file('pond.png', image_bytes('PNG', seed=2), 'image/png'),
        ],
    )
    await wait_for(lambda: count(user, 'processing') == 0 and count(user, 'added') == 2, 20)
    assert count(user, 'refused') == 2
    assert rows(user, 'added') == 2 and rows(user, 'refused') == 2
    await user.should_see('2 added · 2 refused')
    await user.should_see('Refused: ')
    await user.should_see('not-a-picture.svg')
    added = library.list(alice.id).items
    assert sorted(i.title for i in added) == ['beach', 'pond']
    assert all(i.visibility == Visibility.private for i in added)  # the default
    thumbs = ''.join(
        e.content
        for e in user.find(marker='upload-results').elements.pop().descendants()
        if isinstance(e, ui.html)
    )
    assert all(f'/api/v1/images/{i.id}/thumbnail' in thumbs for i in added)

    # The same bytes again: a duplicate, with a link to the one already there.
    await send(user, [file('beach again.jpg', photo)])
    await wait_for(lambda: count(user, 'duplicate') == 1, 20)
    await user.should_see('Duplicate: you already have this image')
    user.find(marker='open-existing').click()
    await user.should_see(marker='title', retries=50)
    await user.should_see('beach')


async def test_batch_settings_apply_to_every_file(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/upload')
    user.find(marker='upload-visibility').elements.pop().value = 'public'
    user.find(marker='upload-tags').type('Holiday, beach')
    user.find(marker='upload-description').type('Summer 2024')
    await send(user, [file(f'p{n}.jpg', image_bytes('JPEG', seed=10 + n)) for n in range(3)])
    await wait_for(lambda: count(user, 'added') == 3, 20)
    images = library.list(None).items  # public: visible to anyone
    assert len(images) == 3
    assert all(
        own_tags(i) == ['beach', 'holiday'] and i.description == 'Summer 2024' for i in images
    )


async def test_a_file_over_the_limit_is_refused_on_the_server(
    user: User, alice: UserPublic, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_in(user)
    await user.open('/upload')
    services = library.services
    monkeypatch.setattr(services, 'settings', services.settings.with_(max_file_bytes=2000))
    big = encode(noise((100, 100), seed=3), 'PNG')
    assert len(big) > 2000
    assert await send(user, [file('big.png', big, 'image/png')]) == [413]
    await wait_for(lambda: count(user, 'refused') == 1, 20)
    await user.should_see('larger than the')
    assert library.list(alice.id).total == 0


async def test_invalid_batch_tags_are_flagged_before_sending(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/upload')
    user.find(marker='upload-tags').type('x' * 60)
    await user.should_see('at most 50 are allowed', retries=30)
    await send(user, [file('a.jpg', image_bytes('JPEG', seed=5))])
    await wait_for(lambda: count(user, 'refused') == 1, 20)
    assert library.list(alice.id).total == 0


async def test_two_hundred_files_in_one_go(user: User, alice: UserPublic, library: Library) -> None:
    await sign_in(user)
    await user.open('/upload')
    files = [
        file(f'tiny-{n}.png', image_bytes('PNG', seed=1000 + n, size=(24, 16))) for n in range(200)
    ]
    files[57] = file('bad.png', b'not a png at all')
    await send(user, files)
    await wait_for(lambda: count(user, 'added') == 199 and count(user, 'refused') == 1, 120)
    await user.should_see('199 added · 1 refused')
    assert library.list(alice.id, limit=1).total == 199
    # One page of rows at a time, and every file is on one of the pages, once.
    names = shown_names(user)
    assert len(names) == 50
    pager = next(iter(user.find(marker='upload-pages').elements))
    for page in range(2, 5):
        pager.value = page  # type: ignore[attr-defined]
        names += shown_names(user)
    assert sorted(names) == sorted(name for name, _, _ in files)


def shown_names(user: User) -> list[str]:
    """The file names of the result rows on the current page."""
    import re

    html = ''.join(
        e.content
        for e in user.find(marker='upload-results').elements.pop().descendants()
        if isinstance(e, ui.html)
    )
    return re.findall(r'<div class="sb-result-name">([^<]*)</div>', html)


async def test_a_heic_from_a_phone_is_added(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/upload')
    assert await send(user, [file('IMG_0042.HEIC', heic_bytes(seed=7), 'image/heic')]) == [201]
    await wait_for(lambda: count(user, 'added') == 1, 20)
    (image,) = library.list(alice.id).items
    assert (image.title, image.format) == ('IMG_0042', 'HEIF')


async def test_what_the_browser_did_not_send_is_named_with_its_reason(
    user: User, alice: UserPublic
) -> None:
    await sign_in(user)
    await user.open('/upload')
    report(
        user,
        [
            {'name': 'Trip/notes.txt', 'status': 'skipped', 'detail': 'not an image, by its name'},
            {'name': 'Trip/huge.jpg', 'status': 'refused', 'detail': 'larger than the 50 MB limit'},
            # The browser may not claim an image was added: only the server says that.
            {'name': 'forged.jpg', 'status': 'added'},
        ],
    )
    await wait_for(lambda: count(user, 'skipped') == 1 and count(user, 'refused') == 1, 10)
    await user.should_see('Trip/notes.txt')
    await user.should_see('Skipped: not an image, by its name')
    await user.should_see('Refused: larger than the 50 MB limit')
    await user.should_not_see('forged.jpg')
    assert uploader(user).props['acked'] == 1  # so the browser stops resending it


async def test_the_results_are_still_there_after_a_reload(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/upload')
    await send(user, [file('kept.jpg', image_bytes('JPEG', seed=31)), file('x.svg', SVG)])
    await wait_for(lambda: count(user, 'added') == 1 and count(user, 'refused') == 1, 20)
    await user.open('/')
    await user.open('/upload')  # a new page, as after a reload or a lost connection
    await user.should_see('1 added · 1 refused')
    await user.should_see('kept.jpg')
    user.find(marker='clear-results').click()
    await wait_for(lambda: count(user, 'added') == 0, 5)
    await user.open('/upload')
    await user.should_not_see('kept.jpg')


async def test_a_retry_of_a_file_that_got_through_is_not_a_duplicate(
    user: User, alice: UserPublic
) -> None:
    """The browser retries when an answer is lost; the server's first word on the file stands."""
    await sign_in(user)
    await user.open('/upload')
    photo = image_bytes('JPEG', seed=41)
    headers = {'X-Shoebox-Upload-Key': 'lost1-0', 'X-Shoebox-Upload-Name': 'lost.jpg'}
    for expected in (201, 409):  # the first answer never reached the browser: it sends again
        r = await user.http_client.post(
            '/api/v1/images', files={'file': ('lost.jpg', photo, 'image/jpeg')}, headers=headers
        )
        assert r.status_code == expected
    await wait_for(lambda: count(user, 'added') == 1, 10)
    assert count(user, 'duplicate') == 0


async def test_someone_elses_uploads_are_not_in_my_list(
    user: User, alice: UserPublic, bob: UserPublic
) -> None:
    await sign_in(user)
    await user.open('/upload')
    await send(user, [file('alice-private.jpg', image_bytes('JPEG', seed=51))])
    await wait_for(lambda: count(user, 'added') == 1, 20)
    user.find(marker='account-menu').click()
    user.find(marker='sign-out').click()
    await sign_in(user, 'bob', 'purple elephant juggles lanterns')
    await user.open('/upload')
    await user.should_not_see('alice-private.jpg')
    assert count(user, 'added') == 0


async def test_an_upload_with_a_token_never_lands_in_a_browser_list(
    user: User, alice: UserPublic, library: Library
) -> None:
    """Only the signed-in browser's own requests are noted: a script holding a token (even one
    sent from that browser, with the uploader's labels) keeps its own tally."""
    await sign_in(user)
    await user.open('/upload')
    r = await user.http_client.post(
        '/api/v1/auth/token',
        json={'username': 'alice', 'password': 'correct horse battery staple'},
    )
    token = r.json()['access_token']
    r = await user.http_client.post(
        '/api/v1/images',
        files={'file': ('scripted.jpg', image_bytes('JPEG', seed=61), 'image/jpeg')},
        headers={
            'Authorization': f'Bearer {token}',
            'X-Shoebox-Upload-Key': 'script1-0',
            'X-Shoebox-Upload-Name': 'scripted.jpg',
        },
    )
    assert r.status_code == 201
    await send(user, [file('mine.jpg', image_bytes('JPEG', seed=62))])
    await wait_for(lambda: count(user, 'added') == 1, 20)
    await user.should_not_see('scripted.jpg')
    assert library.list(alice.id).total == 2
