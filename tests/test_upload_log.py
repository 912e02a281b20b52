"""The upload page's server-side result list: what counts, what is kept, what comes back."""

from __future__ import annotations

import json

from pages import upload_log
from pages.upload_log import MAX_ENTRIES, STORAGE_KEY, Entry, UploadLog, UploadLogs, persist


def added(key: str, name: str = 'a.jpg') -> Entry:
    return Entry(key, name, 'added', image_id='img1', width=10, height=20, visibility='private')


def test_the_first_word_on_a_file_stands_except_that_the_server_beats_the_browser() -> None:
    log = UploadLog('s1')
    assert log.record(added('b-0'))
    # A retry whose first answer was lost finds the file there: still "added", not a duplicate.
    assert not log.record(Entry('b-0', 'a.jpg', 'duplicate', image_id='img1'))
    gave_up = Entry('b-1', 'b.jpg', 'refused', detail='could not be sent', by_server=False)
    assert log.record(gave_up)
    assert log.record(added('b-1', 'b.jpg'))  # the server had it after all
    assert not log.record(gave_up)
    assert [e.status for e in log.by_batch()] == ['added', 'added']
    assert log.counts() == {'added': 2}


def test_the_list_is_capped_oldest_first() -> None:
    log = UploadLog('s1')
    for n in range(MAX_ENTRIES + 5):
        log.record(added(f'b-{n}'))
    assert len(log.entries) == MAX_ENTRIES
    assert next(iter(log.entries)) == 'b-5'


def test_a_saved_list_comes_back_for_its_session_only() -> None:
    log = UploadLog('s1')
    log.record(added('b-0', 'Trip/IMG_1.HEIC'))
    log.record(Entry('b-1', 'notes.txt', 'skipped', detail='not an image', by_server=False))
    storage: dict = {}
    persist(log, storage, force=True)
    assert UploadLog.restore('s1', storage[STORAGE_KEY]).by_batch() == log.by_batch()
    assert not UploadLog.restore('s2', storage[STORAGE_KEY]).entries  # signed in again: new list


def test_damaged_storage_is_ignored_row_by_row() -> None:
    saved = json.dumps(
        {
            'session': 's1',
            'entries': [added('b-0').row(), ['b-1', 'x', 'exploded'], 'junk', [1, 2]],
        }
    )
    assert list(UploadLog.restore('s1', saved).entries) == ['b-0']
    assert not UploadLog.restore('s1', '{not json').entries


def test_saving_is_throttled_but_never_loses_the_last_change(monkeypatch) -> None:
    now = [100.0]
    monkeypatch.setattr(upload_log.time, 'monotonic', lambda: now[0])
    logs, storage = UploadLogs(), {}
    logs.record('browser1', 's1', added('b-0'), storage)
    first = storage[STORAGE_KEY]
    logs.record('browser1', 's1', added('b-1'), storage)
    assert storage[STORAGE_KEY] == first  # within PERSIST_EVERY_S: not yet
    now[0] += upload_log.PERSIST_EVERY_S
    persist(logs.get('browser1', 's1', storage), storage)
    assert len(json.loads(storage[STORAGE_KEY])['entries']) == 2


def test_a_log_pushed_out_of_memory_comes_back_from_its_storage(monkeypatch) -> None:
    monkeypatch.setattr(upload_log, 'MAX_LOGS', 2)
    logs = UploadLogs()
    stores: dict[str, dict] = {b: {} for b in ('b1', 'b2', 'b3')}
    logs.record('b1', 's1', added('x-0'), stores['b1'])
    logs.record('b2', 's2', added('x-0'), stores['b2'])
    logs.record('b3', 's3', added('x-0'), stores['b3'])  # b1 leaves memory
    assert list(logs.get('b1', 's1', stores['b1']).entries) == ['x-0']


def test_the_newest_batch_comes_first_its_refusals_first_then_in_order() -> None:
    log = UploadLog('s1')
    for key in ('old-0', 'old-1', 'new-1', 'new-0', 'old-2'):
        log.record(added(key))
    log.record(Entry('old-3', 'notes.jpg', 'refused', detail='plain text'))
    order = [e.key for e in log.by_batch()]
    assert order == ['new-1', 'new-0', 'old-3', 'old-0', 'old-1', 'old-2']
    assert [e.key for e in log.by_batch('refused')] == ['old-3']
