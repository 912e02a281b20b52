"""The services as the container builds them: a fresh container per test, Actors first, one
access policy, correctness from constraints rather than locks, events after the commit; on
every database (SQLite, Postgres) and blob store (local files, S3)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from repo.config import Settings
from repo.container import Services, build
from repo.core.actor import ANONYMOUS, SYSTEM, Actor
from repo.core.errors import Forbidden, ImageNotFound, NotAuthenticated, Throttled
from repo.core.events import ImageChanged
from repo.core.schemas import ImageUpdate
from repo.core.throttle import FREE_FAILURES
from tests import images
from tests.backends import BACKENDS, backend_settings
from tests.conftest import PASSWORD


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test here runs on each database and blob store (SQLite + files as before)."""
    return backend_settings(request, tmp_path, request.param)


@pytest.fixture
def make(pool, fast_hasher) -> Iterator:  # type: ignore[no-untyped-def]
    """Containers on given settings (several on one data folder act as several processes)."""
    built: list[Services] = []

    def make_services(settings: Settings) -> Services:
        services = build(settings, executor=pool, password_hasher=fast_hasher)
        built.append(services)
        return services

    yield make_services
    for services in built:
        services.close()


@pytest.fixture
def services(make, settings: Settings) -> Services:  # type: ignore[no-untyped-def]
    return make(settings)


def account(services: Services, name: str) -> Actor:
    return Actor.of(services.accounts.create_user(SYSTEM, name, PASSWORD))


def test_a_cheap_command_builds_only_what_it_uses(services: Services, settings: Settings):
    """`shoebox users list` opens the database, not the search index or the similarity cache."""
    account(services, 'alice')
    assert [u.username for u in services.accounts.list_users(SYSTEM)] == ['alice']
    assert not settings.index_dir.exists()
    assert not services.looks.loaded
    assert 'ingest' not in vars(services) and 'finding' not in vars(services)


def test_every_access_decision_goes_through_the_policy(services: Services):
    alice, bob = account(services, 'alice'), account(services, 'bob')
    assert alice.is_admin and not bob.is_admin  # the first account is the administrator
    with pytest.raises(Forbidden):
        services.accounts.list_users(bob)
    with pytest.raises(NotAuthenticated):
        services.accounts.list_users(ANONYMOUS)
    assert len(services.accounts.list_users(alice)) == 2
    private = services.ingest.add(alice, images.image_bytes(seed=1), 'mine.jpg')
    with pytest.raises(ImageNotFound):  # someone else's private image does not exist for bob
        services.images.get(bob, private.id)
    with pytest.raises(ImageNotFound):
        services.images.update(bob, private.id, ImageUpdate(title='taken'))
    public = services.images.update(alice, private.id, ImageUpdate(visibility='public'))
    assert services.images.get(ANONYMOUS, public.id).id == public.id
    with pytest.raises(Forbidden):  # seeing is not owning, and admins do not edit pictures
        services.images.delete(Actor.of(services.accounts.find_user(SYSTEM, 'bob')), public.id)
    with pytest.raises(NotAuthenticated):
        services.ingest.add(ANONYMOUS, images.image_bytes(seed=2), 'nobody.jpg')


def test_exactly_one_first_account_becomes_admin_whatever_the_concurrency(make, settings):
    """Ten sign-ups at once, through five containers on one database: one administrator."""
    containers = [make(settings) for _ in range(5)]
    for c in containers:
        c.engine  # noqa: B018  (migrated before the race starts)
    start = threading.Barrier(10)

    def sign_up(i: int) -> None:
        start.wait()
        containers[i % 5].accounts.create_user(ANONYMOUS, f'user{i}', PASSWORD)

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    users = containers[0].accounts.list_users(SYSTEM)
    assert len(users) == 10
    assert sum(u.is_admin for u in users) == 1


def test_a_username_is_unique_even_when_taken_twice_at_once(make, settings):
    a, b = make(settings), make(settings)
    a.engine, b.engine  # noqa: B018
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_up(services: Services) -> None:
        start.wait()
        try:
            services.accounts.create_user(ANONYMOUS, 'alice', PASSWORD)
            outcomes.append('created')
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=sign_up, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ['Conflict', 'created']


def test_sign_in_throttling_is_shared_by_every_process(make, settings):
    """The throttle lives in the database: failures counted by one process hold in another."""
    a, b = make(settings), make(settings)
    account(a, 'alice')
    for _ in range(FREE_FAILURES):
        with pytest.raises(Exception, match='Invalid username or password'):
            a.signin.authenticate(ANONYMOUS, 'alice', 'wrong guess', '10.1.1.1')
    with pytest.raises(Throttled):
        b.signin.authenticate(ANONYMOUS, 'alice', PASSWORD, '10.1.1.2')


def race(start: threading.Barrier, fn, *args):  # type: ignore[no-untyped-def]
    start.wait()
    return fn(*args)


def test_bytes_stay_when_another_process_reuses_them_while_the_last_copy_goes(make, settings):
    """Alice deletes her only copy in one process while Bob uploads the same bytes in another,
    many times over: Bob's image always keeps its original and thumbnail. (With the trash off,
    so that each delete is the last copy going; emptying the trash takes the same path.)"""
    settings = settings.with_(trash_days=0)
    a, b = make(settings), make(settings)
    alice, bob = account(a, 'alice'), account(a, 'bob')
    data = images.image_bytes(seed=7)
    for _ in range(8):
        first = a.ingest.add(alice, data, 'a.jpg')
        start = threading.Barrier(2)
        added: list = []
        threads = [
            threading.Thread(target=race, args=(start, a.images.delete, alice, first.id)),
            threading.Thread(
                target=lambda s=start, out=added: out.append(race(s, b.ingest.add, bob, data, 'b'))
            ),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        kept = added[0]
        assert b.images.open_file(bob, kept.id, 'original').read() == data
        assert b.images.open_file(bob, kept.id, 'thumb').read()
        b.images.delete(bob, kept.id)
    assert a.maintenance.check(SYSTEM, grace_s=0).ok


def test_events_reach_their_handlers_only_after_the_commit(services: Services):
    alice = account(services, 'alice')
    image = services.ingest.add(alice, images.image_bytes(seed=3), 'x.jpg')
    seen: list[object] = []
    services.bus.subscribe(ImageChanged, seen.append)
    with pytest.raises(Exception, match='title'):
        services.images.update(alice, image.id, ImageUpdate(title='   '))
    assert seen == []  # the use case failed: nothing was committed, nothing is announced
    services.images.update(alice, image.id, ImageUpdate(title='Harbour'))
    assert [e.image_id for e in seen] == [image.id]  # type: ignore[attr-defined]


def test_the_index_catches_up_from_the_event_table_after_a_crash(make, settings: Settings):
    """Changes committed while no index worker ran (a crash, a CLI process) are applied from
    the consumer's cursor when an index opens again."""
    writer = build(settings, background=False)
    try:
        alice = account(writer, 'alice')
        writer.ingest.add(alice, images.image_bytes(seed=4), 'lighthouse.jpg', title='Lighthouse')
        writer.index_feed  # noqa: B018  (opened, but its worker never runs)
        writer.ingest.add(alice, images.image_bytes(seed=5), 'harbour.jpg', title='Harbour')
    finally:
        writer.close()
    reader = make(settings)
    assert reader.maintenance.wait_for_index(SYSTEM, timeout=10)
    assert reader.finding.search(alice, 'harbour').total == 1
    assert reader.finding.search(alice, 'lighthouse').total == 1


def test_data_folder_holds_no_stray_files_after_a_refused_upload(services, settings: Settings):
    alice = account(services, 'alice')
    with pytest.raises(Exception, match='accepts JPEG'):
        services.ingest.add(alice, b'<svg xmlns="http://www.w3.org/2000/svg"/>', 'x.svg')
    leftovers = [p for p in Path(settings.blobs_dir).rglob('*') if p.is_file()]
    assert leftovers == [] and list(settings.tmp_dir.iterdir()) == []
