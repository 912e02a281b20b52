"""The admin page, the reset page, usage bars and scoped tokens in the web app."""

# ruff: noqa: F811  (pytest fixtures imported from tests.ui_fixtures are used as arguments)

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from repo.core.actor import SYSTEM
from repo.core.schemas import UserPublic
from repo.core.schemas_admin import AccountChanges, UsagePublic
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
    wait_for,
)

NEW_PASSWORD = 'seven quiet otters paddle home'


def click_in_row(user: User, username: str, marker: str) -> None:
    """Open the row's action menu and click one of its entries."""
    with user.scope(marker=f'row-{username}'):
        user.find(marker='user-actions').click()
        user.find(marker=marker).click()


async def test_the_admin_page_is_a_404_for_everyone_but_admins(
    user: User, alice: UserPublic, bob: UserPublic
) -> None:
    await sign_in(user, 'bob', OTHER_PASSWORD)
    response = await user.http_client.get('/admin')
    assert response.status_code == 404
    assert 'alice' not in response.text
    user.find(marker='account-menu').click()
    await user.should_not_see(marker='admin-link')


async def test_an_admin_reaches_the_page_from_the_account_menu_and_sees_everyone(
    user: User, alice: UserPublic, bob: UserPublic, add_image, library: Library
) -> None:
    add_image(bob, 'Bobs')
    await sign_in(user)
    user.find(marker='account-menu').click()
    user.find(marker='admin-link').click()
    await user.should_see('Administration', retries=50)
    await user.should_see('@bob')
    await user.should_see('@alice')
    with user.scope(marker='row-bob'):
        await user.should_see('1 image (no limit)')
    user.find(marker='user-search').type('bo')
    await wait_for(lambda: len(user.find(marker='user-row').elements) == 1)
    await user.should_see(marker='row-bob')


async def test_disable_promote_and_quota_from_the_page_are_applied_and_audited(
    user: User, alice: UserPublic, bob: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/admin')
    click_in_row(user, 'bob', 'disable')
    await user.should_see(marker='confirm', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see('@bob updated', retries=30)
    services = library.services
    assert services.admin.get_user(SYSTEM, 'bob').disabled
    click_in_row(user, 'bob', 'promote')
    await wait_for(lambda: services.admin.get_user(SYSTEM, 'bob').is_admin)
    click_in_row(user, 'bob', 'quota')
    await user.should_see(marker='quota-dialog', retries=30)
    input_of_number(user, 'quota-gb').set_value(1.5)
    input_of_number(user, 'quota-images').set_value(40)
    user.find(marker='quota-save').click()
    await wait_for(lambda: services.admin.get_user(SYSTEM, 'bob').quota_images == 40)
    assert services.admin.get_user(SYSTEM, 'bob').quota_bytes == 1_500_000_000
    actions = [r.what for r in services.audit.page(SYSTEM)]
    assert actions[:4] == ['user.quota', 'user.quota', 'user.promote', 'user.disable']
    await user.open('/admin?tab=audit')
    await user.should_see(marker='audit', retries=30)
    (table,) = user.find(marker='audit').elements
    wanted = {'who': 'alice', 'what': 'user.disable', 'whom': 'bob'}.items()
    assert any(wanted <= row.items() for row in table.rows)


def input_of_number(user: User, marker: str) -> ui.number:
    (element,) = user.find(marker=marker).elements
    assert isinstance(element, ui.number)
    return element


async def test_a_reset_link_is_shown_with_a_copy_button_and_works_once(
    user: User, alice: UserPublic, bob: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/admin')
    click_in_row(user, 'bob', 'reset-link')
    await user.should_see(marker='reset-dialog', retries=30)
    url = input_of(user, 'reset-url').value
    assert '/reset/' in url
    user.find(marker='copy-reset').click()
    path = url[url.index('/reset/') :]
    user.find(marker='account-menu').click()
    user.find(marker='sign-out').click()
    await user.should_see(marker='sign-in-link', retries=30)
    await user.open(path)
    await user.should_see('For @bob', retries=30)
    user.find(marker='reset-password').type(NEW_PASSWORD)
    user.find(marker='reset-confirm').type(NEW_PASSWORD)
    user.find(marker='reset-submit').click()
    await user.should_see(marker='signin', retries=50)
    assert library.authenticate('bob', NEW_PASSWORD).username == 'bob'
    await user.open(path)
    await user.should_see(marker='reset-refused', retries=30)


async def test_deleting_an_account_needs_its_name_typed(
    user: User, alice: UserPublic, bob: UserPublic, add_image, library: Library
) -> None:
    add_image(bob, 'Bobs')
    await sign_in(user)
    await user.open('/admin')
    click_in_row(user, 'bob', 'delete-user')
    await user.should_see(marker='confirm-delete', retries=30)
    (button,) = user.find(marker='confirm-delete-user').elements
    assert not button.enabled
    user.find(marker='confirm-username').type('bob')
    await wait_for(lambda: button.enabled)
    user.find(marker='confirm-delete-user').click()
    await user.should_see('@bob deleted', retries=30)
    assert [u.username for u in library.list_users()] == ['alice']


async def test_the_last_admin_cannot_remove_themselves(
    user: User, alice: UserPublic, bob: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/admin')
    click_in_row(user, 'alice', 'demote')
    await user.should_see(marker='confirm', retries=30)
    user.find(marker='confirm-ok').click()
    await user.should_see('This is the last administrator', retries=30)
    assert library.services.admin.get_user(SYSTEM, 'alice').is_admin


async def test_settings_saved_on_the_page_apply_at_once(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/admin?tab=settings')
    await user.should_see(marker='settings', retries=30)
    user.find(marker='setting-open-signup').click()  # on by default: switch it off
    input_of_number(user, 'setting-quota-images').set_value(3)
    user.find(marker='save-settings').click()
    await user.should_see('Settings saved', retries=30)
    limits = library.services.limits()
    assert limits.open_signup is False and limits.default_quota_images == 3
    user.find(marker='account-menu').click()
    user.find(marker='sign-out').click()
    await user.should_see(marker='sign-in-link', retries=30)
    await user.open('/signup')
    await user.should_see(marker='signup-closed', retries=30)


async def test_the_account_page_shows_usage_against_the_quota(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    image = add_image(alice, 'Mine')
    library.services.admin.update_user(
        SYSTEM, 'alice', AccountChanges(quota_images=4, fields_set=frozenset({'quota_images'}))
    )
    await sign_in(user)
    await user.open('/account')
    await user.should_see(marker='usage', retries=30)
    await user.should_see('1 of 4 images')
    assert image.size_bytes > 0


async def test_a_token_made_on_the_account_page_has_the_scopes_ticked(
    user: User, alice: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/account')
    user.find(marker='token-name').type('read only')
    for scope in ('images:write', 'images:delete', 'shares:write', 'shop', 'admin'):
        user.find(marker=f'scope-{scope}').click()  # untick all but images:read
    user.find(marker='create-token').click()
    await user.should_see(marker='new-token', retries=30)
    secret = input_of(user, 'token-value').value
    assert library.tokens.user(secret).token_scopes == ('images:read',)
    user.find('Done').click()
    await user.should_see('May: see images', retries=30)


async def test_the_last_admin_cannot_delete_their_own_account_on_the_account_page(
    user: User, alice: UserPublic, bob: UserPublic, library: Library
) -> None:
    await sign_in(user)
    await user.open('/account')
    user.find(marker='delete-account').click()
    await user.should_see(marker='confirm-delete', retries=30)
    user.find(marker='confirm-username').type('alice')
    user.find(marker='confirm-delete-account').click()
    await user.should_see('This is the last administrator', retries=50)
    assert library.find_user('alice').is_admin


async def test_the_upload_page_warns_before_a_batch_that_will_not_fit(
    user: User, alice: UserPublic, add_image, library: Library
) -> None:
    add_image(alice, 'First')
    library.services.admin.update_user(
        SYSTEM, 'alice', AccountChanges(quota_images=3, fields_set=frozenset({'quota_images'}))
    )
    await sign_in(user)
    await user.open('/upload')
    await user.should_see(marker='uploader', retries=30)
    await user.should_not_see(marker='quota-warning')
    user.find(marker='uploader').trigger('picked', [1000, 2000])  # two more fit
    await user.should_not_see(marker='quota-warning')
    user.find(marker='uploader').trigger('picked', [1000, 2000, 3000])  # three do not
    await user.should_see('3 files will not all fit', retries=30)
    await user.should_see('room for 2 more images')


def test_the_shortfall_of_a_batch_in_bytes() -> None:
    from pages.quota_notice import shortfall

    usage = UsagePublic(bytes_used=900, images=1, quota_bytes=1000, quota_images=None)
    assert shortfall(usage, [100]) is None  # exactly fills it
    assert 'left of your 1.0 KB' in (shortfall(usage, [60, 41]) or '')
    assert shortfall(UsagePublic(bytes_used=5, images=1, quota_bytes=None, quota_images=None),
                     [10**12]) is None  # fmt: skip


async def test_an_account_made_with_must_change_password_sets_one_at_first_sign_in(
    user: User, alice: UserPublic, library: Library
) -> None:
    library.services.accounts.create_user(
        SYSTEM, 'carol', OTHER_PASSWORD, must_change_password=True
    )
    await user.open('/signin')
    user.find(marker='username').type('carol')
    user.find(marker='password').type(OTHER_PASSWORD)
    user.find(marker='sign-in').click()
    await user.should_see('Choose a new password', retries=50)
    user.find(marker='reset-password').type(NEW_PASSWORD)
    user.find(marker='reset-confirm').type(NEW_PASSWORD)
    user.find(marker='reset-submit').click()
    await user.should_see(marker='signin', retries=50)
    assert library.find_user('carol').must_change_password is False
    await sign_in(user, 'carol', NEW_PASSWORD)
