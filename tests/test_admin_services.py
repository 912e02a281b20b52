"""Administration in the domain, on a fresh container per test: runtime settings, the
last-admin rule, disabled accounts, reset links, quotas and token scopes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from repo.config import Settings
from repo.container import Services, build
from repo.core.actor import ANONYMOUS, SYSTEM, Actor
from repo.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    InvalidCredentials,
    NotAuthenticated,
    QuotaExceeded,
)
from repo.core.schemas_admin import AccountChanges
from repo.core.uploads import UploadItem
from tests import images
from tests.conftest import PASSWORD

NEW_PASSWORD = 'seven quiet otters paddle home'


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make(pool, fast_hasher, clock) -> Iterator:  # type: ignore[no-untyped-def]
    """Containers on given settings (several on one data folder act as several processes)."""
    built: list[Services] = []

    def make_services(settings: Settings) -> Services:
        services = build(settings, executor=pool, password_hasher=fast_hasher, clock=clock)
        built.append(services)
        return services

    yield make_services
    for services in built:
        services.close()


@pytest.fixture
def services(make, settings: Settings) -> Services:  # type: ignore[no-untyped-def]
    return make(settings)


def account(services: Services, name: str, **extra: object) -> Actor:
    return Actor.of(services.accounts.create_user(SYSTEM, name, PASSWORD, **extra))


def change(**values: object) -> AccountChanges:
    return AccountChanges(**values, fields_set=frozenset(values))


def run_together(*calls) -> list[object]:  # type: ignore[no-untyped-def]
    """Start the calls at the same moment in threads; each one's result or exception."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def go(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# ---- runtime settings ----------------------------------------------------------------------


def test_a_changed_setting_applies_at_once_here_and_soon_in_another_process(make, settings):
    here, there = make(settings), make(settings)
    ticks = {'t': 0.0}
    there.runtime.monotonic = lambda: ticks['t']
    alice = account(here, 'alice')
    assert there.limits().max_file_bytes == settings.max_file_bytes  # cached from now on
    here.runtime.update(alice, {'max_file_bytes': 1234, 'default_quota_images': 7})
    assert here.limits().max_file_bytes == 1234  # this process: at once
    assert there.limits().max_file_bytes == settings.max_file_bytes  # within its cache time
    ticks['t'] += there.runtime.cache_seconds
    assert there.limits().max_file_bytes == 1234
    assert there.limits().default_quota_images == 7
    with pytest.raises(Exception, match='larger than'):  # the new limit holds for uploads
        there.ingest.add(alice, images.image_bytes(seed=1), 'big.jpg')


def test_settings_are_checked_and_only_admins_change_them(services: Services):
    alice, bob = account(services, 'alice'), account(services, 'bob')
    with pytest.raises(Forbidden):
        services.runtime.update(bob, {'open_signup': False})
    with pytest.raises(NotAuthenticated):
        services.runtime.view(ANONYMOUS)
    for bad in ({'max_file_bytes': 0}, {'trash_days': -1}, {'open_signup': 'yes'},
                {'max_pixels': None}, {'default_quota_bytes': -5}, {'nonsense': 1}):  # fmt: skip
        with pytest.raises(Invalid):
            services.runtime.update(alice, bad)
    assert services.runtime.view(alice)['max_file_bytes'] == 50_000_000  # nothing half-applied
    services.runtime.update(alice, {'open_signup': False, 'default_quota_bytes': None})
    with pytest.raises(Forbidden):
        services.accounts.create_user(ANONYMOUS, 'carol', PASSWORD)  # sign-up closed at once
    (entry, *_) = services.audit.page(alice)
    assert (entry.who, entry.what, entry.details) == (
        'alice',
        'settings.update',
        {'open_signup': False, 'default_quota_bytes': None},
    )


# ---- the last administrator ----------------------------------------------------------------


def test_the_last_admin_can_be_neither_demoted_disabled_nor_deleted(services: Services):
    alice, bob = account(services, 'alice'), account(services, 'bob')
    for changes in (change(is_admin=False), change(disabled=True)):
        with pytest.raises(Conflict, match='last administrator'):
            services.admin.update_user(alice, 'alice', changes)
    with pytest.raises(Conflict, match='last administrator'):
        services.accounts.delete_user(alice, alice.user_id)  # also from the account page
    services.admin.update_user(alice, 'bob', change(is_admin=True))
    services.admin.update_user(alice, 'bob', change(disabled=True))
    with pytest.raises(Conflict):  # a disabled admin does not count
        services.admin.update_user(alice, 'alice', change(is_admin=False))
    services.admin.update_user(alice, 'bob', change(disabled=False))
    services.admin.update_user(alice, 'alice', change(is_admin=False))
    assert [u.username for u in services.admin.list_users(SYSTEM) if u.is_admin] == ['bob']
    assert bob.user_id is not None


def remove(services: Services, action: str, actor: Actor, target: Actor) -> object:
    if action == 'delete':
        return services.accounts.delete_user(actor, target.user_id)
    values = {'is_admin': False} if action == 'demote' else {'disabled': True}
    return services.admin.update_user(actor, target.username, change(**values))


@pytest.mark.parametrize('action', ['demote', 'disable', 'delete'])
def test_two_admins_removing_each_other_at_once_leave_one(make, settings, action: str):
    """Two admins, each in their own process, remove the other at the same moment: one of
    them is refused (checked ten times over)."""
    a, b = make(settings), make(settings)
    for attempt in range(10):
        x, y = account(a, f'xx{attempt}'), account(a, f'yy{attempt}')
        for actor in (x, y):
            a.admin.update_user(SYSTEM, actor.username, change(is_admin=True))
        for other in a.admin.list_users(SYSTEM):  # these two are the only admins now
            if other.is_admin and other.username not in (x.username, y.username):
                a.admin.update_user(SYSTEM, other.username, change(is_admin=False))
        x, y = (Actor.of(a.accounts.find_user(SYSTEM, n.username)) for n in (x, y))
        results = run_together(
            lambda x=x, y=y: remove(a, action, x, y), lambda x=x, y=y: remove(b, action, y, x)
        )
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        active = [u for u in a.admin.list_users(SYSTEM) if u.is_admin and not u.disabled]
        assert len(active) == 1


def test_the_command_line_may_remove_the_last_admin(services: Services):
    """The server itself can always make another administrator (`shoebox users promote`)."""
    alice = account(services, 'alice')
    services.admin.update_user(SYSTEM, 'alice', change(disabled=True))
    assert services.admin.get_user(SYSTEM, 'alice').disabled
    assert services.accounts.delete_user(SYSTEM, alice.user_id) == 0


# ---- disabled accounts -----------------------------------------------------------------------


def test_a_disabled_account_is_out_at_once_and_its_images_stay(services: Services):
    alice, bob = account(services, 'alice'), account(services, 'bob')
    image = services.ingest.add(bob, images.image_bytes(seed=2), 'b.jpg', visibility='public')
    session = services.signin.start_session(bob)
    token, _ = services.signin.create_token(bob, 'script')
    services.admin.update_user(alice, 'bob', change(disabled=True))
    assert services.signin.session_user(session) is None
    assert services.signin.token_user(token) is None
    with pytest.raises(InvalidCredentials) as wrong:
        services.signin.authenticate(ANONYMOUS, 'bob', 'not the password')
    with pytest.raises(InvalidCredentials) as right:
        services.signin.authenticate(ANONYMOUS, 'bob', PASSWORD)
    assert right.value.message == wrong.value.message
    assert services.images.get(ANONYMOUS, image.id).owner == 'bob'
    services.admin.update_user(alice, 'bob', change(disabled=False))
    assert services.signin.token_user(token).username == 'bob'  # the token works again
    assert services.signin.session_user(session) is None  # the session had ended
    assert services.signin.authenticate(ANONYMOUS, 'bob', PASSWORD).username == 'bob'


# ---- reset links -----------------------------------------------------------------------------


def test_a_reset_link_works_once_within_the_hour_and_ends_every_session_and_token(
    services: Services, clock: Clock
):
    alice, bob = account(services, 'alice'), account(services, 'bob')
    session = services.signin.start_session(bob)
    token, _ = services.signin.create_token(bob, 'script')
    link = services.resets.create_link(alice, 'bob')
    assert link.expires_at == clock.now + timedelta(hours=1)
    assert services.resets.account_of(link.token).username == 'bob'
    with pytest.raises(Invalid, match='at least'):  # the password rules hold
        services.resets.reset(link.token, 'short')
    services.resets.reset(link.token, NEW_PASSWORD)
    assert services.signin.session_user(session) is None
    assert services.signin.token_user(token) is None
    assert services.signin.authenticate(ANONYMOUS, 'bob', NEW_PASSWORD).username == 'bob'
    with pytest.raises(Invalid, match='not valid'):
        services.resets.reset(link.token, 'another fine long passphrase')
    late = services.resets.create_link(alice, 'bob')
    clock.advance(hours=1)
    assert services.resets.account_of(late.token) is None
    with pytest.raises(Invalid, match='not valid'):
        services.resets.reset(late.token, 'another fine long passphrase')
    entries = [e for e in services.audit.page(alice) if e.what == 'user.password_reset']
    assert len(entries) == 2 and all(late.token not in str(e.details) for e in entries)


def test_a_new_link_replaces_the_old_and_two_uses_at_once_let_one_through(make, settings):
    a, b = make(settings), make(settings)
    alice = account(a, 'alice')
    account(a, 'bob')
    first = a.resets.create_link(alice, 'bob')
    second = a.resets.create_link(alice, 'bob')
    assert a.resets.account_of(first.token) is None
    results = run_together(
        lambda: a.resets.reset(second.token, NEW_PASSWORD),
        lambda: b.resets.reset(second.token, 'another fine long passphrase'),
    )
    assert sum(isinstance(r, Invalid) for r in results) == 1, results


def test_an_account_made_with_must_change_password_chooses_one_first(services: Services):
    alice = account(services, 'alice')
    services.accounts.create_user(alice, 'bob', PASSWORD, must_change_password=True)
    bob = Actor.of(services.signin.authenticate(ANONYMOUS, 'bob', PASSWORD))
    with pytest.raises(Forbidden, match='new password first'):
        services.signin.create_token(bob, 'script')
    link = services.resets.link_for_self(bob)
    assert services.resets.reset(link.token, NEW_PASSWORD).must_change_password is False
    assert services.signin.create_token(bob, 'script')[0]


# ---- quotas ----------------------------------------------------------------------------------


def test_usage_counts_every_original_and_the_quota_holds_at_the_exact_boundary(
    services: Services, settings: Settings
):
    alice, bob = account(services, 'alice'), account(services, 'bob')
    shared = images.image_bytes(seed=10)
    first = services.ingest.add(alice, shared, 'a.jpg')
    services.ingest.add(bob, shared, 'b.jpg')  # the same bytes count for each owner
    assert services.quotas.usage(bob).bytes_used == first.size_bytes
    second = images.image_bytes(seed=11)
    exact = first.size_bytes + len(second)
    services.admin.update_user(SYSTEM, 'alice', change(quota_bytes=exact))
    added = services.ingest.add(alice, second, 'fits.jpg')  # lands exactly on the quota
    usage = services.quotas.usage(alice)
    assert (usage.bytes_used, usage.images, usage.quota_bytes) == (exact, 2, exact)
    with pytest.raises(QuotaExceeded) as refused:
        services.ingest.add(alice, images.image_bytes(seed=12), 'one-byte-too-many.jpg')
    assert (refused.value.used_bytes, refused.value.quota_bytes) == (exact, exact)
    assert refused.value.status == 507
    services.images.delete(alice, added.id)
    services.ingest.add(alice, second, 'fits-again.jpg')
    leftovers = [p.name for p in settings.tmp_dir.iterdir()]
    assert leftovers == []


def test_the_image_quota_and_the_instance_default(make, settings):
    services = make(settings.with_(default_quota_images=1))
    alice, bob = account(services, 'alice'), account(services, 'bob')
    services.ingest.add(bob, images.image_bytes(seed=20), 'one.jpg')
    with pytest.raises(QuotaExceeded, match='quota of 1 image '):
        services.ingest.add(bob, images.image_bytes(seed=21), 'two.jpg')
    services.admin.update_user(alice, 'bob', change(quota_images=2))  # his own quota wins
    services.ingest.add(bob, images.image_bytes(seed=21), 'two.jpg')
    services.admin.update_user(alice, 'bob', change(quota_images=None))  # back to the default
    assert services.quotas.usage(bob).quota_images == 1
    (result,) = services.ingest.add_many(
        bob, [UploadItem(filename='three.jpg', data=images.image_bytes(seed=22))]
    )  # a batch (the command line's import) obeys it too
    assert result.status == 'refused' and 'quota of 1 image ' in result.message


def test_ten_uploads_at_once_overshoot_the_quota_by_nothing(make, settings: Settings):
    """Ten parallel uploads through two processes for room that fits three: three land,
    seven are refused, and nothing of the refused ones stays on disk."""
    a, b = make(settings), make(settings)
    alice = account(a, 'alice')
    files = [images.image_bytes(seed=100 + i, size=(120, 90)) for i in range(10)]
    room = sum(sorted(len(f) for f in files)[:3])
    a.admin.update_user(SYSTEM, 'alice', change(quota_bytes=room))
    results = run_together(
        *[lambda i=i: (a, b)[i % 2].ingest.add(alice, files[i], f'{i}.jpg') for i in range(10)]
    )
    refused = [r for r in results if isinstance(r, QuotaExceeded)]
    added = [r for r in results if not isinstance(r, Exception)]
    assert len(added) + len(refused) == 10, results
    assert len(refused) >= 7  # at most the three smallest fit
    usage = a.quotas.usage(alice)
    assert usage.bytes_used <= room and usage.images == len(added) >= 1
    assert a.maintenance.wait_for_index(SYSTEM, timeout=10)
    assert a.maintenance.check(SYSTEM, grace_s=0).ok  # no blobs of a refused upload
    assert list(Path(settings.tmp_dir).iterdir()) == []


# ---- token scopes ----------------------------------------------------------------------------


def test_a_token_does_only_what_its_scopes_allow(services: Services):
    alice, bob = account(services, 'alice'), account(services, 'bob')
    reader_token, info = services.signin.create_token(bob, 'reader', scopes=['images:read'])
    assert info.scopes == ('images:read',)
    reader = Actor.of(services.signin.token_user(reader_token))
    image = services.ingest.add(bob, images.image_bytes(seed=30), 'b.jpg')
    assert services.images.get(reader, image.id).id == image.id
    with pytest.raises(Forbidden, match='This token may not upload'):
        services.ingest.add(reader, images.image_bytes(seed=31), 'c.jpg')
    with pytest.raises(Forbidden, match='This token may not delete'):
        services.images.delete(reader, image.id)
    writer = Actor.of(services.signin.token_user(
        services.signin.create_token(bob, 'writer', scopes=['images:write'])[0]
    ))  # fmt: skip
    with pytest.raises(Forbidden, match='This token may not see images'):
        services.images.list(writer)
    with pytest.raises(Forbidden, match='This token may not see images'):
        services.finding.tags(writer)
    everything = services.signin.token_user(services.signin.create_token(bob, 'all')[0])
    assert 'admin' not in everything.token_scopes  # bob is no administrator
    with pytest.raises(Invalid, match='may not give'):
        services.signin.create_token(bob, 'greedy', scopes=['admin'])
    with pytest.raises(Invalid, match='Unknown scope'):
        services.signin.create_token(bob, 'typo', scopes=['images:rea'])
    admin_token, _ = services.signin.create_token(alice, 'images only', scopes=['images:read'])
    limited_admin = Actor.of(services.signin.token_user(admin_token))
    with pytest.raises(Forbidden, match='This token may not administer'):
        services.admin.list_users(limited_admin)


def test_a_token_expires(services: Services, clock: Clock):
    alice = account(services, 'alice')
    token, info = services.signin.create_token(alice, 'day pass', expires_in=3600)
    assert info.expires_at == clock.now + timedelta(hours=1)
    assert services.signin.token_user(token) is not None
    clock.advance(hours=1)
    assert services.signin.token_user(token) is None
    with pytest.raises(Invalid, match='expires_in'):
        services.signin.create_token(alice, 'blink', expires_in=1)


def test_last_seen_and_the_figures(services: Services, clock: Clock):
    alice = account(services, 'alice')
    services.signin.authenticate(ANONYMOUS, 'alice', PASSWORD)
    assert services.admin.get_user(alice, 'alice').last_seen_at == clock.now
    services.ingest.add(alice, images.image_bytes(seed=40), 'a.jpg')
    stats = services.admin.stats(alice)
    assert (stats.users, stats.images) == (1, 1) and stats.bytes > 0
