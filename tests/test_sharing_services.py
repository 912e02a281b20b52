"""The sharing services on their own: the purge job across processes, token scopes, the share
key's randomness, restore racing an upload."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from repo.config import Settings
from repo.container import Services, build
from repo.core.actor import SYSTEM, Actor
from repo.core.errors import Forbidden
from repo.core.schemas_sharing import AlbumCreate, ShareCreate
from repo.services.trash import PurgeJob
from tests import images
from tests.conftest import PASSWORD


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def make(pool, fast_hasher) -> Iterator:  # type: ignore[no-untyped-def]
    built: list[Services] = []

    def make_services(settings: Settings, clock: Clock) -> Services:
        services = build(settings, executor=pool, password_hasher=fast_hasher, clock=clock)
        built.append(services)
        return services

    yield make_services
    for services in built:
        services.close()


def account(services: Services, name: str) -> Actor:
    return Actor.of(services.accounts.create_user(SYSTEM, name, PASSWORD))


def test_two_processes_purging_at_once_purge_each_image_once(make, settings: Settings):
    clock = Clock()
    a, b = make(settings, clock), make(settings, clock)
    alice = account(a, 'alice')
    for seed in range(6):
        image = a.ingest.add(alice, images.image_bytes(seed=seed), f'{seed}.jpg')
        a.images.delete(alice, image.id)
    clock.now += timedelta(days=31)
    counts: list[int] = []
    start = threading.Barrier(2)

    def purge(services: Services) -> None:
        start.wait()
        counts.append(services.trash.purge_due())

    threads = [threading.Thread(target=purge, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 6
    assert a.trash.list(alice) == []
    a.maintenance.wait_for_index(SYSTEM)
    assert a.maintenance.check(SYSTEM, grace_s=0).ok
    assert not any(p.is_file() for p in settings.blobs_dir.rglob('*'))


def test_the_purge_job_runs_in_the_background_and_stops(make, settings: Settings):
    clock = Clock()
    services = make(settings, clock)
    alice = account(services, 'alice')
    image = services.ingest.add(alice, images.image_bytes(seed=9), 'x.jpg')
    services.images.delete(alice, image.id)
    clock.now += timedelta(days=31)
    job = PurgeJob(services.trash, every_s=0.05)
    job.start()
    try:
        for _ in range(200):
            if not services.trash.list(alice):
                break
            threading.Event().wait(0.05)
    finally:
        job.stop()
    assert services.trash.list(alice) == []


def test_a_token_without_shares_write_may_not_share(make, settings: Settings):
    services = make(settings, Clock())
    alice = account(services, 'alice')
    image = services.ingest.add(alice, images.image_bytes(seed=10), 'x.jpg')
    reader = Actor.user(alice.user_id or 0, 'alice', scopes=frozenset({'images:read'}))
    with pytest.raises(Forbidden, match='share'):
        services.sharing.create(reader, ShareCreate(image_ids=[image.id]))
    with pytest.raises(Forbidden, match='share'):
        services.albums.create(reader, AlbumCreate(title='x'))
    assert services.sharing.list(reader) == []


def test_share_keys_are_long_random_and_unique(make, settings: Settings):
    services = make(settings, Clock())
    alice = account(services, 'alice')
    image = services.ingest.add(alice, images.image_bytes(seed=11), 'x.jpg')
    keys = {
        services.sharing.create(alice, ShareCreate(image_ids=[image.id])).key for _ in range(50)
    }
    assert len(keys) == 50
    assert all(len(k) >= 32 for k in keys)  # 24 random bytes, URL-safe base64: 192 bits


def test_a_restored_image_is_found_by_search_and_similar_again(make, settings: Settings):
    services = make(settings, Clock())
    alice = account(services, 'alice')
    pic = images.picture((400, 300), 12)
    data = images.encode(pic, 'JPEG', quality=95)
    image = services.ingest.add(alice, data, 'x.jpg', title='Lighthouse')
    smaller = images.encode(pic.resize((200, 150)), 'JPEG', quality=60)
    twin = services.ingest.add(alice, smaller, 'y.jpg', title='Copy')
    assert image.id in [s.image.id for s in services.finding.similar(alice, twin.id).items]
    services.maintenance.wait_for_index(SYSTEM)
    services.images.delete(alice, image.id)
    services.maintenance.wait_for_index(SYSTEM)
    assert services.finding.search(alice, 'lighthouse').total == 0
    assert image.id not in [s.image.id for s in services.finding.similar(alice, twin.id).items]
    services.trash.restore(alice, [image.id])
    services.maintenance.wait_for_index(SYSTEM)
    assert [i.id for i in services.finding.search(alice, 'lighthouse').items] == [image.id]
    assert image.id in [s.image.id for s in services.finding.similar(alice, twin.id).items]
