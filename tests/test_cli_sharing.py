"""`shoebox share|shares|unshare`, `albums`, `album create|add|remove|show`, `trash` against a
real server."""

# ruff: noqa: F811  (fixtures imported from tests.test_cli_client are used as arguments)

from __future__ import annotations

import httpx

from repo.core.schemas import UserPublic
from repo.library import Library
from tests import images
from tests.test_cli_client import (  # noqa: F401  (fixtures)
    as_json,
    env,
    library,
    server,
    shoebox,
    signed_in,
    start_server,
    text,
    user,
)


def add(library: Library, user: UserPublic, seed: int, title: str = 'Photo') -> str:
    return library.add(user.id, images.image_bytes(seed=seed), f'{title}.jpg', title=title).id


def test_share_prints_a_url_a_visitor_can_open_and_unshare_stops_it(
    signed_in: dict[str, str], library: Library, user: UserPublic, server: str
) -> None:
    image = add(library, user, 601)
    made = shoebox(signed_in, 'share', image, '--expires', '7d', '--label', 'Grandma',
                   '--password-stdin', input='sesame\n')  # fmt: skip
    assert made.exit_code == 0, text(made)
    url = made.stdout.strip()
    assert url.startswith(server + '/s/') and 'sesame' not in made.output
    key = url.rsplit('/', 1)[1]
    with httpx.Client(base_url=server) as visitor:
        assert visitor.get(f'/api/v1/s/{key}').status_code == 401
        opened = visitor.get(f'/api/v1/s/{key}', headers={'X-Share-Password': 'sesame'})
        assert [i['id'] for i in opened.json()['items']] == [image]
        assert opened.json()['allow_download'] is False
    listed = as_json(shoebox(signed_in, 'shares', '--json'))
    assert [(s['label'], s['views'], s['has_password']) for s in listed] == [('Grandma', 1, True)]
    assert listed[0]['expires_at'] is not None
    assert 'Grandma' in text(shoebox(signed_in, 'shares'))
    gone = shoebox(signed_in, 'unshare', listed[0]['id'])
    assert gone.exit_code == 0, text(gone)
    with httpx.Client(base_url=server) as visitor:
        assert visitor.get(f'/api/v1/s/{key}').status_code == 404
    assert as_json(shoebox(signed_in, 'shares', '--json')) == []


def test_share_with_downloads_and_bad_input(
    signed_in: dict[str, str], env: dict[str, str], library: Library, user: UserPublic,
    server: str,
) -> None:  # fmt: skip
    image = add(library, user, 602)
    url = shoebox(signed_in, 'share', image, '--download').stdout.strip()
    key = url.rsplit('/', 1)[1]
    with httpx.Client(base_url=server) as visitor:
        original = visitor.get(f'/api/v1/s/{key}/images/{image}/original')
        assert original.status_code == 200
    assert shoebox(signed_in, 'share', image, '--expires', 'soon').exit_code == 2
    refused = shoebox(signed_in, 'share', 'not-an-image')
    assert refused.exit_code == 1 and 'Image not found' in text(refused)
    assert shoebox(env, 'share', image).exit_code == 1  # not signed in


def test_albums_create_add_show_remove(
    signed_in: dict[str, str], library: Library, user: UserPublic
) -> None:
    first, second = add(library, user, 603, 'First'), add(library, user, 604, 'Second')
    made = shoebox(signed_in, 'album', 'create', 'Holidays', '--description', 'Sea')
    assert made.exit_code == 0, text(made)
    album_id = made.stdout.strip()
    added = shoebox(signed_in, 'album', 'add', album_id, first, second)
    assert added.exit_code == 0 and 'Holidays: 2 images' in text(added)
    shown = as_json(shoebox(signed_in, 'album', 'show', album_id, '--json'))
    assert {i['id'] for i in shown['items']} == {first, second}
    assert 'Holidays · 2 images' in text(shoebox(signed_in, 'album', 'show', album_id))
    listed = as_json(shoebox(signed_in, 'albums', '--json'))
    assert [(a['id'], a['count']) for a in listed] == [(album_id, 2)]
    assert shoebox(signed_in, 'album', 'remove', album_id, first).exit_code == 0
    shown = as_json(shoebox(signed_in, 'album', 'show', album_id, '--json'))
    assert [i['id'] for i in shown['items']] == [second]
    url = shoebox(signed_in, 'share', album_id, '--album').stdout.strip()
    assert '/s/' in url


def test_trash_lists_restores_and_empties(
    signed_in: dict[str, str], library: Library, user: UserPublic
) -> None:
    image = add(library, user, 605, 'Oops')
    other = add(library, user, 606, 'Gone')
    assert shoebox(signed_in, 'delete', image, other).exit_code == 0
    listed = as_json(shoebox(signed_in, 'trash', '--json'))
    assert {i['id'] for i in listed['items']} == {image, other}
    assert 'Oops' in text(shoebox(signed_in, 'trash'))
    restored = shoebox(signed_in, 'trash', '--restore', image)
    assert restored.exit_code == 0 and f'restored {image}' in text(restored)
    assert library.get(user.id, image).title == 'Oops'
    emptied = shoebox(signed_in, 'trash', '--empty')
    assert emptied.exit_code == 0 and 'deleted 1 image for good' in text(emptied)
    assert 'The trash is empty.' in text(shoebox(signed_in, 'trash'))
    assert shoebox(signed_in, 'trash', '--restore').exit_code == 2
