"""The upload page: batch settings, then one result per file (added, duplicate, refused)."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from repo.core.schemas import UserPublic
from repo.core.visibility import Visibility
from repo.library import Library
from tests.images import SVG, encode, image_bytes, noise, own_tags, truncated_jpeg
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    add_image,
    alice,
    input_of,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
    wait_for,
)


def uploader(user: User) -> ui.upload:
    element = next(iter(user.find(marker='uploader').elements))
    assert isinstance(element, ui.upload)
    return element


def file(name: str, data: bytes, mime: str = 'image/jpeg') -> ui.upload.FileUpload:
    return ui.upload.SmallFileUpload(name, mime, data)


def count(user: User, status: str) -> int:
    return len(user.find(marker=f'result-{status}').elements) if _sees(user, status) else 0


def _sees(user: User, status: str) -> bool:
    try:
        user.find(marker=f'result-{status}')
    except AssertionError:
        return False
    return True


async def test_upload_needs_an_account(user: User) -> None:
    await user.open('/upload')
    await user.should_see(marker='signin')


async def test_each_file_gets_its_own_result(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/upload')
    photo = image_bytes('JPEG', seed=1)
    await uploader(user).handle_uploads(
        [
            file('beach.jpg', photo),
            file('not-a-picture.svg', SVG, 'image/svg+xml'),
            file('broken.jpg', truncated_jpeg()),
            file('pond.png', image_bytes('PNG', seed=2), 'image/png'),
        ]
    )
    await wait_for(lambda: count(user, 'processing') == 0 and count(user, 'added') == 2, 20)
    assert count(user, 'refused') == 2
    await user.should_see('2 added · 2 refused')
    await user.should_see('Refused: ')
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
    await uploader(user).handle_uploads([file('beach again.jpg', photo)])
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
    await uploader(user).handle_uploads(
        [file(f'p{n}.jpg', image_bytes('JPEG', seed=10 + n)) for n in range(3)]
    )
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
    await uploader(user).handle_uploads([file('big.png', big, 'image/png')])
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
    await uploader(user).handle_uploads([file('a.jpg', image_bytes('JPEG', seed=5))])
    await wait_for(lambda: count(user, 'refused') == 1, 20)
    assert library.list(alice.id).total == 0


async def test_two_hundred_files_in_one_go(user: User, alice: UserPublic, library: Library) -> None:
    await sign_in(user)
    await user.open('/upload')
    files = [
        file(f'tiny-{n}.png', image_bytes('PNG', seed=1000 + n, size=(24, 16))) for n in range(200)
    ]
    files[57] = file('bad.png', b'not a png at all')
    await uploader(user).handle_uploads(files)
    await wait_for(lambda: count(user, 'added') == 199 and count(user, 'refused') == 1, 120)
    await user.should_see('199 added · 1 refused')
    assert library.list(alice.id, limit=1).total == 199
