"""`shoebox similar`, `shoebox duplicates`, `shoebox tags` and `--color`, against a real server.

The server, the Library behind it and the helpers are those of tests/test_cli_client.py; every
test gets fresh accounts, and other tests' public images may be on the same server.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PIL import Image as PILImage

from repo.core.schemas import UserPublic
from repo.library import Library
from tests import images
from tests import test_cli_client as cli
from tests.conftest import PASSWORD
from tests.test_cli_client import as_json, shoebox, text

# The server fixtures of tests/test_cli_client.py (pytest finds fixtures by name in the module).
start_server = cli.start_server
library = cli.library
server = cli.server
user = cli.user
env = cli.env
signed_in = cli.signed_in

_others = itertools.count()


@pytest.fixture
def other(library: Library) -> UserPublic:
    return library.create_user(f'looker{next(_others):03d}', PASSWORD)


@pytest.fixture
def other_env(env: dict[str, str], library: Library, other: UserPublic) -> dict[str, str]:
    return {**env, 'SHOEBOX_TOKEN': library.tokens.create(other.id, 'test')[0]}


def photo(seed: int, size: tuple[int, int] = (320, 240)) -> PILImage.Image:
    return images.picture(size, seed)


def png(seed: int) -> bytes:
    return images.encode(photo(seed), 'PNG')


def half(seed: int) -> bytes:
    return images.encode(photo(seed).resize((160, 120)), 'JPEG', quality=85)


def solid(colour: tuple[int, int, int]) -> bytes:
    return images.encode(PILImage.new('RGB', (200, 150), colour), 'PNG')


def result_ids(page: dict) -> list[str]:
    return [i['id'] for i in page['items']]


def test_similar_by_file_and_by_id_shows_only_what_the_caller_may_see(
    signed_in: dict[str, str],
    other_env: dict[str, str],
    library: Library,
    user: UserPublic,
    tmp_path: Path,
) -> None:
    secret = library.add(user.id, png(401), 'secret.png')  # private
    copy = library.add(user.id, half(401), 'secret small.jpg')  # private
    mirrored = images.encode(photo(401).transpose(PILImage.Transpose.FLIP_LEFT_RIGHT), 'PNG')
    shared = library.add(user.id, mirrored, 'shared.png', visibility='public')  # a mirrored copy
    library.add(user.id, png(402), 'unrelated.png', visibility='public')
    query = tmp_path / 'query.png'
    query.write_bytes(png(401))

    page = as_json(shoebox(signed_in, 'similar', query, '--json'))
    assert result_ids(page) == [secret.id, copy.id, shared.id]  # not the unrelated picture
    assert page['items'][0]['distance'] == 0
    assert page['total'] == len(page['items'])
    limited = as_json(shoebox(signed_in, 'similar', query, '--limit', '1', '--json'))
    assert result_ids(limited) == [secret.id]

    by_id = as_json(shoebox(signed_in, 'similar', secret.id, '--json'))
    assert result_ids(by_id)[0] == copy.id and secret.id not in result_ids(by_id)
    table = shoebox(signed_in, 'similar', secret.id, '--limit', '3')
    assert table.exit_code == 0, text(table)
    assert 'distance' in text(table) and copy.id in text(table) and 'secret small' in text(table)

    # Someone else, and an anonymous visitor, never get the private ones.
    anonymous = {**other_env, 'SHOEBOX_TOKEN': ''}
    for env_ in (other_env, anonymous):
        found = result_ids(as_json(shoebox(env_, 'similar', query, '--json')))
        assert secret.id not in found and copy.id not in found
        assert found == [shared.id]
        refused = shoebox(env_, 'similar', secret.id)
        assert refused.exit_code == 1
        assert 'Image not found' in text(refused)


def test_similar_refuses_what_an_upload_refuses(signed_in: dict[str, str], tmp_path: Path) -> None:
    notes = tmp_path / 'notes.jpg'
    notes.write_bytes(images.TEXT)
    result = shoebox(signed_in, 'similar', notes)
    assert result.exit_code == 1
    assert 'plain text' in text(result)
    bomb = tmp_path / 'bomb.png'
    bomb.write_bytes(images.flat_png_bomb())
    result = shoebox(signed_in, 'similar', bomb)
    assert result.exit_code == 1
    assert 'bomb' in text(result)
    result = shoebox(signed_in, 'similar', tmp_path)  # a folder is neither a file nor an id
    assert result.exit_code == 2


def test_duplicates_lists_groups_best_first(
    signed_in: dict[str, str],
    other_env: dict[str, str],
    env: dict[str, str],
    library: Library,
    user: UserPublic,
) -> None:
    big = library.add(user.id, png(411), 'big.png')
    small = library.add(user.id, half(411), 'small.jpg', visibility='public')
    library.add(user.id, png(412), 'alone.png')

    found = as_json(shoebox(signed_in, 'duplicates', '--json'))
    assert found['groups'] == [[big.id, small.id]]
    assert found['images'][0][0]['title'] == 'big'

    table = shoebox(signed_in, 'duplicates')
    assert table.exit_code == 0, text(table)
    out = text(table)
    assert 'group 1' in out and 'best' in out
    assert out.index(big.id) < out.index(small.id)
    assert '1 groups; 1 copies' in out

    # Someone else has none, even with a copy of the public one that looks the same.
    assert text(shoebox(other_env, 'duplicates')) == 'no near-duplicates'
    result = shoebox(env, 'duplicates')
    assert result.exit_code == 1
    assert 'Not signed in' in text(result)


def test_tags_and_colour_filters(
    signed_in: dict[str, str],
    other_env: dict[str, str],
    library: Library,
    user: UserPublic,
) -> None:
    blue = library.add(user.id, solid((20, 40, 140)), 'navy.png', tags=['lookcli-sea'])
    red = library.add(
        user.id, solid((200, 30, 30)), 'red.png', tags=['lookcli-sea'], visibility='public'
    )
    library.wait_for_index()

    mine = as_json(shoebox(signed_in, 'list', '--mine', '--color', 'blue', '--json'))
    assert result_ids(mine) == [blue.id]
    assert result_ids(
        as_json(shoebox(signed_in, 'list', '--mine', '--color', 'red', '--json'))
    ) == [red.id]
    found = as_json(shoebox(signed_in, 'search', 'navy', '--mine', '--color', 'blue', '--json'))
    assert result_ids(found) == [blue.id]
    assert as_json(shoebox(signed_in, 'search', 'navy', '--color', 'red', '--json'))['total'] == 0
    result = shoebox(signed_in, 'list', '--color', 'mauve')
    assert result.exit_code == 1
    assert 'Unknown colour "mauve"' in text(result)

    tags = as_json(shoebox(signed_in, 'tags', '--prefix', 'lookcli', '--json'))
    assert tags == [{'name': 'lookcli-sea', 'count': 2}]
    others = as_json(shoebox(other_env, 'tags', '--prefix', 'lookcli', '--json'))
    assert others == [{'name': 'lookcli-sea', 'count': 1}]  # the private one is not counted
    table = shoebox(signed_in, 'tags', '--sort', 'name')
    assert table.exit_code == 0 and 'lookcli-sea' in text(table)
