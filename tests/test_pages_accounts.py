"""Accounts in the web app: sign up, sign in (throttled), sign out, password change, deletion."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

import asyncio

import pytest
from nicegui import app
from nicegui.testing import User

from repo.core.actor import SYSTEM
from repo.core.schemas import UserPublic
from repo.core.schemas_admin import AccountChanges
from repo.library import Library
from tests.ui_fixtures import (  # noqa: F401  (fixtures)
    OTHER_PASSWORD,
    PASSWORD,
    add_image,
    alice,
    bob,
    input_of,
    library,
    make_account,
    shoebox_env,
    sign_in,
    user,
)


async def fill_signup(user: User, **values: str) -> None:
    await user.open('/signup')
    for marker in ('username', 'display-name', 'email', 'password', 'confirm'):
        value = values.get(marker.replace('-', '_'))
        if value:
            user.find(marker=marker).type(value)
    user.find(marker='create-account').click()


# ---- sign up ---------------------------------------------------------------------------------


async def test_sign_up_signs_in_and_lands_on_the_empty_gallery(
    user: User, library: Library
) -> None:
    await fill_signup(
        user, username='carol', display_name='Carol', password=PASSWORD, confirm=PASSWORD
    )
    await user.should_see(marker='account-menu', retries=50)
    await user.should_see('Your shoebox is empty')
    await user.should_see('Upload images')
    assert library.find_user('carol').display_name == 'Carol'


@pytest.mark.parametrize(
    ('values', 'field', 'message'),
    [
        ({'username': 'al'}, 'username', 'Username must be 3 to 32 characters long'),
        ({'username': '9lives'}, 'username', 'Username must start with a letter'),
        ({'username': 'bad name!'}, 'username', 'Username may only contain'),
        ({'username': 'admin'}, 'username', 'is reserved'),
        ({'email': 'not-an-email'}, 'email', 'Email address does not look right'),
        ({'password': 'short', 'confirm': 'short'}, 'password', 'at least 8 characters'),
        ({'password': 'password1', 'confirm': 'password1'}, 'password', 'too easy to guess'),
        ({'confirm': 'something else entirely'}, 'confirm', 'do not match'),
    ],
    ids=['short', 'digit-first', 'characters', 'reserved', 'email', 'short-pw', 'weak', 'confirm'],
)
async def test_sign_up_shows_each_error_next_to_its_field(
    user: User, library: Library, values: dict[str, str], field: str, message: str
) -> None:
    form = {'username': 'carol', 'password': PASSWORD, 'confirm': PASSWORD, **values}
    await fill_signup(user, **form)
    await user.should_see(message, retries=30)
    assert message in (input_of(user, field).error or '')
    others = {'username', 'email', 'password', 'confirm'} - {field}
    assert all(input_of(user, other).error is None for other in others)
    assert library.list_users() == []


async def test_sign_up_with_a_taken_username(user: User, alice: UserPublic) -> None:
    await fill_signup(user, username='Alice', password=OTHER_PASSWORD, confirm=OTHER_PASSWORD)
    await user.should_see('is already taken')
    assert 'already taken' in (input_of(user, 'username').error or '')


async def test_the_strength_meter_gives_feedback_while_typing(user: User) -> None:
    await user.open('/signup')
    user.find(marker='password').type('password')
    await user.should_see('too easy to guess')
    user.find(marker='password').type(' for my shoebox of many kites')
    await user.should_not_see('too easy to guess', retries=20)


async def test_sign_up_can_be_switched_off(
    user: User, monkeypatch: pytest.MonkeyPatch, library: Library
) -> None:
    services = library.services
    monkeypatch.setattr(services, 'settings', services.settings.with_(open_signup=False))
    await user.open('/signup')
    await user.should_see('Sign-up is closed')
    await user.should_not_see(marker='create-account')


# ---- sign in and out ---------------------------------------------------------------------------


async def test_sign_in_and_sign_out(user: User, alice: UserPublic) -> None:
    await sign_in(user)
    await user.should_see('@alice')
    user.find(marker='sign-out').click()
    await user.should_see(marker='sign-in-link', retries=50)
    await user.open('/upload')  # needs an account again
    await user.should_see(marker='signin')


async def test_wrong_password_and_unknown_user_read_the_same(user: User, alice: UserPublic) -> None:
    messages = []
    for name, password in (('alice', 'not the password'), ('nobody', PASSWORD)):
        await user.open('/signin')
        user.find(marker='username').type(name)
        user.find(marker='password').type(password)
        user.find(marker='sign-in').click()
        await user.should_see('Invalid username or password', retries=30)
        messages.append(next(iter(user.find(marker='signin-error').elements)).text)
    assert messages[0] == messages[1] == 'Invalid username or password'


async def test_failed_sign_ins_are_throttled_with_a_clear_message(
    user: User, alice: UserPublic
) -> None:
    await user.open('/signin')
    user.find(marker='username').type('alice')
    password = input_of(user, 'password')
    for _ in range(5):
        user.find(marker='password').type('wrong')
        user.find(marker='sign-in').click()
        for _ in range(50):  # a failed attempt clears the password field
            if not password.value:
                break
            await asyncio.sleep(0.05)
        await user.should_see('Invalid username or password')
    user.find(marker='password').type(PASSWORD)  # even the right password has to wait now
    user.find(marker='sign-in').click()
    await user.should_see('Too many failed sign-ins. Try again in', retries=30)
    button = next(iter(user.find(marker='sign-in').elements))
    assert not button.enabled
    await user.should_not_see(marker='account-menu')


async def test_sign_in_sends_you_back_where_you_were(user: User, alice: UserPublic) -> None:
    await user.open('/account')  # needs an account: off to sign-in, with the way back
    await user.should_see(marker='signin')
    user.find(marker='username').type('alice')
    user.find(marker='password').type(PASSWORD)
    user.find(marker='sign-in').click()
    await user.should_see(marker='change-password', retries=50)


@pytest.mark.parametrize('target', ['//evil.example/x', 'https://evil.example/', '/\\evil'])
async def test_sign_in_never_redirects_off_site(user: User, alice: UserPublic, target: str) -> None:
    await user.open(f'/signin?next={target}')
    user.find(marker='username').type('alice')
    user.find(marker='password').type(PASSWORD)
    user.find(marker='sign-in').click()
    await user.should_see(marker='account-menu', retries=50)
    # Signing in goes through the session renewal (a redirect), which lands on the gallery.
    assert user.back_history[-1] == '/session/renew'
    assert user.client.request.url.path == '/'
    assert not user.client.request.url.query


async def test_the_image_routes_recognise_the_signed_in_browser(
    user: User, alice: UserPublic, add_image
) -> None:
    """The grid's <img> tags load private thumbnails with the browser's session, nothing else."""
    image = add_image(alice, 'Secret')
    url = f'/api/v1/images/{image.id}/thumbnail'
    assert (await user.http_client.get(url)).status_code == 404
    await sign_in(user)
    response = await user.http_client.get(url)
    assert response.status_code == 200
    assert response.headers['content-type'] == 'image/webp'
    user.find(marker='sign-out').click()
    await user.should_see(marker='sign-in-link', retries=50)
    assert (await user.http_client.get(url)).status_code == 404


async def test_no_server_storage_is_written_for_anonymous_visitors(user: User) -> None:
    await user.open('/')
    await user.open('/signin')
    assert all(not dict(storage) for storage in app.storage._users.values())


# ---- account page ------------------------------------------------------------------------------


async def test_password_change_ends_the_other_sessions(
    user: User, create_user, alice: UserPublic, library: Library
) -> None:
    other = create_user()
    await sign_in(other)
    await sign_in(user)
    await user.open('/account')
    user.find(marker='current-password').type(PASSWORD)
    user.find(marker='new-password').type(OTHER_PASSWORD)
    user.find(marker='confirm-password').type(OTHER_PASSWORD)
    user.find(marker='change-password').click()
    await user.should_see('Password changed', retries=50)
    # This browser stays signed in; the other one is signed out on its next request.
    await user.open('/account')
    await user.should_see(marker='change-password')
    await other.open('/account')
    await other.should_see(marker='signin')
    assert library.authenticate('alice', OTHER_PASSWORD).username == 'alice'


async def test_password_change_with_a_wrong_current_password(user: User, alice: UserPublic) -> None:
    await sign_in(user)
    await user.open('/account')
    user.find(marker='current-password').type('not it at all')
    user.find(marker='new-password').type(OTHER_PASSWORD)
    user.find(marker='confirm-password').type(OTHER_PASSWORD)
    user.find(marker='change-password').click()
    await user.should_see('The current password is not right', retries=50)


async def test_account_deletion_removes_the_account_and_its_images(
    user: User, alice: UserPublic, bob: UserPublic, add_image, library: Library
) -> None:
    add_image(alice, 'Mine', visibility='public')
    kept = add_image(bob, 'Bobs', visibility='public')
    # Alice (the first account) is an administrator: another one must remain (issue 13).
    library.services.admin.update_user(
        SYSTEM, 'bob', AccountChanges(is_admin=True, fields_set=frozenset({'is_admin'}))
    )
    await sign_in(user)
    await user.open('/account')
    user.find(marker='delete-account').click()
    await user.should_see(marker='confirm-delete', retries=30)
    user.find(marker='confirm-username').type('alice')
    user.find(marker='confirm-delete-account').click()
    await user.should_see('Your account has been deleted', retries=50)
    await user.should_see('1 image went with it.')
    assert [u.username for u in library.list_users()] == ['bob']
    assert [i.id for i in library.list(None).items] == [kept.id]
    await user.open('/account')
    await user.should_see(marker='signin')


async def test_api_tokens_are_shown_once_listed_and_revoked(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/account')
    user.find(marker='token-name').type('backup script')
    user.find(marker='create-token').click()
    await user.should_see(marker='new-token', retries=30)
    secret = next(iter(user.find(marker='token-value').elements)).value
    assert library.tokens.user(secret).username == 'alice'
    await user.should_see('backup script')
    user.find('Done').click()
    user.find(marker='revoke').click()
    await user.should_see(marker='confirm', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see('Token revoked', retries=30)
    assert library.tokens.user(secret) is None
    assert library.tokens.list(alice.id) == []
