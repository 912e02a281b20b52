"""The search index: matching, ranking, filters, updates, rebuilds and the writer thread."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from repo.core.errors import Invalid
from search_index import IndexDoc, IndexWorker, OutboxItem, SearchHits, SearchIndex
from search_index.worker import MIN_COMMIT_INTERVAL

T0 = datetime(2024, 1, 1, 12, 0, 0)
ALICE, BOB, CAROL = 1, 2, 3


def doc(
    image_id: str,
    title: str = '',
    description: str = '',
    tags: tuple[str, ...] = (),
    owner: int = ALICE,
    public: bool = True,
    days: int = 0,
) -> IndexDoc:
    return IndexDoc(
        image_id=image_id,
        owner_id=owner,
        public=public,
        title=title,
        description=description,
        tags=tags,
        created_at=T0 + timedelta(days=days),
    )


def make_index(tmp_path: Path, docs: list[IndexDoc]) -> SearchIndex:
    index = SearchIndex(tmp_path / 'index')
    assert index.rebuild(docs) == len(docs)
    return index


def ids(index: SearchIndex, text: str, viewer: int | None = ALICE, **kwargs) -> list[str]:
    return index.search(text, viewer_id=viewer, **kwargs).ids


# -- matching -----------------------------------------------------------------------------------


def test_matching_ignores_case(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', title='Sunset over the BEACH', tags=('Holiday',))])
    assert ids(index, 'sunset') == ['a']
    assert ids(index, 'SUNSET') == ['a']
    assert ids(index, 'Beach') == ['a']
    assert ids(index, 'holiday') == ['a']


def test_matching_stems_words(tmp_path: Path) -> None:
    index = make_index(
        tmp_path,
        [
            doc('cat', title='A cat on the sofa'),
            doc('run', description='Dogs running in the park'),
        ],
    )
    # None of these queries is a prefix of the indexed word: only stemming can match them.
    assert ids(index, 'cats') == ['cat']
    assert ids(index, 'runs') == ['run']
    assert ids(index, 'running') == ['run']
    assert ids(index, 'dog') == ['run']


def test_matching_folds_accents(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', title='Café in Zürich')])
    assert ids(index, 'cafe') == ['a']
    assert ids(index, 'ZURICH') == ['a']


def test_documents_with_all_words_rank_first(tmp_path: Path) -> None:
    index = make_index(
        tmp_path,
        [
            doc('red-only', title='Red red red', description='red red', tags=('red',)),
            doc('car-only', title='Car car car', description='car car', tags=('car',)),
            doc('both', description='An old red car parked outside'),
        ],
    )
    hits = index.search('red car', viewer_id=ALICE)
    assert hits.ids[0] == 'both'
    assert sorted(hits.ids[1:]) == ['car-only', 'red-only']
    assert hits.total == 3


def test_last_word_also_matches_as_prefix(tmp_path: Path) -> None:
    index = make_index(
        tmp_path,
        [
            doc('sunset', title='Sunset at the lake'),
            doc('mountains', title='Sunset mountains'),
            doc('sun', title='The sun'),
        ],
    )
    assert sorted(ids(index, 'sun')) == ['mountains', 'sun', 'sunset']
    assert ids(index, 'sun')[0] == 'sun'  # the word itself outranks longer words
    assert ids(index, 'sunset mou') == ['mountains', 'sunset']
    # Only the last word is a prefix: 'mou' here would have to be a whole word.
    assert ids(index, 'mou lake') == ['sunset']
    assert ids(index, 'mountains sun')[0] == 'mountains'
    assert sorted(ids(index, 'mountains sun')) == ['mountains', 'sun', 'sunset']


def test_half_typed_word_past_its_stem_still_matches(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', title='Running'), doc('b', title='Beautiful')])
    assert ids(index, 'runni') == ['a']
    assert ids(index, 'beautif') == ['b']


def test_single_letters_do_not_expand(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', title='Sunset'), doc('b', title='Sea')])
    assert index.search('s', viewer_id=ALICE) == SearchHits([], 0)


HOSTILE = [
    '"',
    '"sunset',
    'sunset"',
    '"sunset beach',
    '(',
    ')',
    '(sunset',
    'sunset)',
    '*',
    'sun*',
    '*set',
    '?',
    ':',
    'title:x',
    'title:sunset',
    'owner_id:2',
    'public:true',
    'tags:[a TO z]',
    '[a TO z]',
    '{a TO z}',
    'a AND OR NOT',
    'AND',
    'NOT sunset',
    'sunset OR',
    '!!!',
    '-',
    '+sunset -beach',
    '~',
    'sunset~2',
    '^',
    'sunset^10',
    '\\',
    "'",
    '<script>alert(1)</script>',
    "'; DROP TABLE images; --",
    '🙂',
    '🙂 sunset 🌅',
    '\x00',
    '\t\n',
    'a' * 256,
    'sunset ' * 36,
    ' '.join(f'w{i}' for i in range(60)),
]


@pytest.mark.parametrize('text', HOSTILE)
def test_hostile_text_never_raises(tmp_path: Path, text: str) -> None:
    index = make_index(tmp_path, [doc('a', title='Sunset beach'), doc('b', public=False)])
    hits = index.search(text, viewer_id=None)
    assert isinstance(hits, SearchHits)
    assert set(hits.ids) <= {'a'}
    assert hits.total == len(hits.ids)


def test_field_syntax_is_plain_text(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', title='Sunset', owner=BOB)])
    # 'owner_id:2' would find BOB's image if it were parsed; as words it matches nothing.
    assert ids(index, 'owner_id:2') == []
    assert ids(index, 'title:sunset') == ['a']  # 'title' matches nothing, 'sunset' matches


def test_text_over_256_characters_is_invalid(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', title='Sunset')])
    index.search('a' * 256, viewer_id=None)
    with pytest.raises(Invalid, match='too long') as raised:
        index.search('a' * 257, viewer_id=None)
    assert raised.value.status == 422


@pytest.mark.parametrize('text', ['', '   ', '!!!', '...', '"()"', '*:*', 'a', 'the and of'])
def test_blank_or_punctuation_only_text_matches_nothing(tmp_path: Path, text: str) -> None:
    index = make_index(tmp_path, [doc('a', title='Sunset')])
    assert index.search(text, viewer_id=ALICE) == SearchHits([], 0)


# -- permissions and filters --------------------------------------------------------------------


@pytest.fixture
def shared(tmp_path: Path) -> SearchIndex:
    return make_index(
        tmp_path,
        [
            doc('alice-public', 'Garden flowers', owner=ALICE, public=True, tags=('garden',)),
            doc('alice-private', 'Garden party', owner=ALICE, public=False, tags=('party',)),
            doc('bob-public', 'Garden gnome', owner=BOB, public=True, tags=('garden', 'gnome')),
            doc('bob-private', 'Garden secret', owner=BOB, public=False, tags=('garden',)),
        ],
    )


def test_anonymous_viewer_sees_only_public(shared: SearchIndex) -> None:
    hits = shared.search('garden', viewer_id=None)
    assert sorted(hits.ids) == ['alice-public', 'bob-public']
    assert hits.total == 2


def test_owner_sees_own_private_and_others_public(shared: SearchIndex) -> None:
    assert sorted(ids(shared, 'garden', ALICE)) == ['alice-private', 'alice-public', 'bob-public']
    assert sorted(ids(shared, 'garden', BOB)) == ['alice-public', 'bob-private', 'bob-public']
    assert sorted(ids(shared, 'garden', CAROL)) == ['alice-public', 'bob-public']
    assert shared.search('secret', viewer_id=ALICE) == SearchHits([], 0)


def test_owner_filter_keeps_permissions(shared: SearchIndex) -> None:
    assert sorted(ids(shared, 'garden', ALICE, owner_id=BOB)) == ['bob-public']
    assert sorted(ids(shared, 'garden', BOB, owner_id=BOB)) == ['bob-private', 'bob-public']
    assert ids(shared, 'garden', None, owner_id=ALICE) == ['alice-public']


def test_visibility_filter(shared: SearchIndex) -> None:
    assert sorted(ids(shared, 'garden', ALICE, visibility='private')) == ['alice-private']
    assert sorted(ids(shared, 'garden', ALICE, visibility='public')) == [
        'alice-public',
        'bob-public',
    ]
    assert ids(shared, 'garden', None, visibility='private') == []


def test_tags_filter_needs_all_tags(shared: SearchIndex) -> None:
    assert sorted(ids(shared, 'garden', ALICE, tags=['garden'])) == ['alice-public', 'bob-public']
    assert ids(shared, 'garden', ALICE, tags=['garden', 'gnome']) == ['bob-public']
    assert ids(shared, 'garden', ALICE, tags=['GNOME']) == ['bob-public']
    assert ids(shared, 'garden', ALICE, tags=['garden', 'nothing']) == []


def test_multi_word_tags_filter_exactly(tmp_path: Path) -> None:
    index = make_index(
        tmp_path, [doc('a', 'Skyline', tags=('new york',)), doc('b', 'Skyline', tags=('york',))]
    )
    assert ids(index, 'skyline', tags=['new york']) == ['a']
    assert sorted(ids(index, 'york')) == ['a', 'b']


def test_unknown_options_are_invalid(shared: SearchIndex) -> None:
    with pytest.raises(Invalid):
        shared.search('garden', viewer_id=ALICE, sort='random')
    with pytest.raises(Invalid):
        shared.search('garden', viewer_id=ALICE, visibility='secret')
    with pytest.raises(Invalid):
        shared.search('garden', viewer_id=ALICE, offset=-1)


# -- order and paging ---------------------------------------------------------------------------


@pytest.fixture
def dated(tmp_path: Path) -> SearchIndex:
    docs = [doc(f'd{day}', title=f'Harbor view {day}', days=day) for day in (3, 1, 4, 0, 2)]
    return make_index(tmp_path, docs)


def test_sort_newest_and_oldest(dated: SearchIndex) -> None:
    assert ids(dated, 'harbor', sort='newest') == ['d4', 'd3', 'd2', 'd1', 'd0']
    assert ids(dated, 'harbor', sort='oldest') == ['d0', 'd1', 'd2', 'd3', 'd4']


def test_newest_still_puts_all_words_first(tmp_path: Path) -> None:
    index = make_index(
        tmp_path,
        [
            doc('old-both', 'Harbor boats', days=0),
            doc('new-one', 'Harbor', days=5),
            doc('mid-one', 'Boats', days=3),
        ],
    )
    assert ids(index, 'harbor boats', sort='newest') == ['old-both', 'new-one', 'mid-one']


def test_offset_limit_and_total(dated: SearchIndex) -> None:
    pages = [
        dated.search('harbor', viewer_id=ALICE, sort='oldest', limit=2, offset=o)
        for o in (0, 2, 4, 6)
    ]
    assert [p.ids for p in pages] == [['d0', 'd1'], ['d2', 'd3'], ['d4'], []]
    assert {p.total for p in pages} == {5}
    relevance = [dated.search('harbor', viewer_id=ALICE, limit=2, offset=o).ids for o in (0, 2, 4)]
    flat = [i for page in relevance for i in page]
    assert sorted(flat) == ['d0', 'd1', 'd2', 'd3', 'd4']
    assert dated.search('harbor', viewer_id=ALICE, limit=0) == SearchHits([], 5)


# -- updates and rebuilds -----------------------------------------------------------------------


def test_apply_reflects_updates_and_deletes(shared: SearchIndex) -> None:
    shared.apply([doc('bob-private', 'Garden secret', owner=BOB, public=True)], [])
    assert 'bob-private' in ids(shared, 'garden', None)
    shared.apply([doc('alice-public', 'Garden flowers', owner=ALICE, public=False)], [])
    assert 'alice-public' not in ids(shared, 'garden', None)
    assert 'alice-public' in ids(shared, 'garden', ALICE)
    shared.apply([doc('bob-public', 'Lawn gnome', owner=BOB)], ['bob-private'])
    assert ids(shared, 'garden', None) == []
    assert ids(shared, 'gnome', None) == ['bob-public']
    assert shared.doc_count() == 3


def test_apply_keeps_the_last_of_repeated_upserts(tmp_path: Path) -> None:
    index = make_index(tmp_path, [])
    index.apply([doc('a', 'First'), doc('a', 'Second')], [])
    assert index.doc_count() == 1
    assert ids(index, 'first') == []
    assert ids(index, 'second') == ['a']


def test_many_small_commits_do_not_bring_back_old_versions(tmp_path: Path) -> None:
    # Whoosh merges small segments as commits pile up; the searcher must follow the merges.
    index = make_index(tmp_path, [doc(f'i{n}', 'Lighthouse') for n in range(5)])
    for round_ in range(25):
        index.apply([doc(f'i{round_ % 5}', f'Lighthouse {round_}')], [])
        assert index.search('lighthouse', viewer_id=ALICE).total == 5
    index.apply([], ['i0', 'i1'])
    assert index.doc_count() == 3
    assert sorted(ids(index, 'lighthouse')) == ['i2', 'i3', 'i4']


def test_open_reports_missing_and_corrupt_index(tmp_path: Path) -> None:
    folder = tmp_path / 'index'
    assert SearchIndex(folder).open() is False
    make_index(tmp_path, [doc('a', 'Sunset')]).close()
    reopened = SearchIndex(folder)
    assert reopened.open() is True
    assert ids(reopened, 'sunset') == ['a']
    reopened.close()
    for path in folder.iterdir():
        if path.suffix != '.json':
            path.write_bytes(b'\x00garbage' * 10)
    assert SearchIndex(folder).open() is False


def test_rebuild_after_the_folder_was_deleted(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', 'Sunset')])
    index.close()
    shutil.rmtree(tmp_path / 'index')
    index = SearchIndex(tmp_path / 'index')
    assert index.open() is False
    assert index.rebuild([doc('b', 'Sunrise'), doc('c', 'Sunset')]) == 2
    assert ids(index, 'sunset') == ['c']
    assert index.doc_count() == 2


def test_rebuild_replaces_everything(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc('a', 'Sunset'), doc('b', 'Sunset')])
    index.rebuild([doc('c', 'Sunset')])
    assert ids(index, 'sunset') == ['c']


def test_searches_and_writes_from_several_threads(tmp_path: Path) -> None:
    index = make_index(tmp_path, [doc(f'p{n}', 'Meadow flowers', days=n) for n in range(50)])
    errors: list[BaseException] = []
    done = threading.Event()

    def search_loop() -> None:
        try:
            while not done.is_set():
                hits = index.search('meadow', viewer_id=ALICE, limit=10)
                assert hits.total >= 50
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=search_loop) for _ in range(4)]
    for t in threads:
        t.start()
    for n in range(20):
        index.apply([doc(f'n{n}', 'Meadow'), doc(f'p{n}', 'Meadow flowers again', days=n)], [])
    done.set()
    for t in threads:
        t.join()
    assert errors == []
    assert index.search('meadow', viewer_id=ALICE).total == 70


# -- the worker ---------------------------------------------------------------------------------


class Outbox:
    """An in-memory stand-in for the database's index outbox."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: list[OutboxItem] = []
        self.done: list[int] = []
        self.fail_next_fetches = 0

    def add(self, image_id: str, item: IndexDoc | None) -> None:
        with self.lock:
            self.rows.append(OutboxItem(len(self.rows) + 1, image_id, item))

    def fetch_pending(self, limit: int) -> list[OutboxItem]:
        with self.lock:
            if self.fail_next_fetches:
                self.fail_next_fetches -= 1
                raise OSError('database is locked')
            done = set(self.done)
            return [row for row in self.rows if row.outbox_id not in done][:limit]

    def mark_done(self, outbox_ids: list[int]) -> None:
        with self.lock:
            self.done.extend(outbox_ids)


class CountingIndex(SearchIndex):
    def __init__(self, index_dir: Path) -> None:
        super().__init__(index_dir)
        self.batches: list[tuple[list[str], list[str]]] = []

    def apply(self, upserts, deletes) -> None:  # type: ignore[override]
        self.batches.append(([d.image_id for d in upserts], list(deletes)))
        super().apply(upserts, deletes)


@pytest.fixture
def worker_setup(tmp_path: Path):
    index = CountingIndex(tmp_path / 'index')
    index.rebuild([])
    outbox = Outbox()
    worker = IndexWorker(index, outbox.fetch_pending, outbox.mark_done, batch_size=50)
    worker.start()
    yield index, outbox, worker
    worker.stop()


def test_worker_makes_new_images_searchable(worker_setup) -> None:
    index, outbox, worker = worker_setup
    outbox.add('a', doc('a', 'Waterfall'))
    worker.notify()
    assert worker.wait_idle(timeout=5)
    assert ids(index, 'waterfall') == ['a']
    assert outbox.done == [1]


def test_worker_coalesces_changes_per_image(worker_setup) -> None:
    index, outbox, worker = worker_setup
    worker.stop()  # queue everything first, then let one batch take it all
    outbox.add('a', doc('a', 'Draft title'))
    outbox.add('b', doc('b', 'Volcano'))
    outbox.add('a', doc('a', 'Final title'))
    outbox.add('b', None)
    outbox.add('c', None)
    worker.start()
    worker.notify()
    assert worker.wait_idle(timeout=5)
    assert index.batches == [(['a'], ['b', 'c'])]
    assert sorted(outbox.done) == [1, 2, 3, 4, 5]
    assert ids(index, 'final') == ['a']
    assert ids(index, 'draft') == []
    assert ids(index, 'volcano') == []


def test_worker_drains_more_than_one_batch(worker_setup) -> None:
    index, outbox, worker = worker_setup
    for n in range(120):
        outbox.add(f'i{n}', doc(f'i{n}', 'Canyon'))
    worker.notify()
    assert worker.wait_idle(timeout=10)
    assert index.search('canyon', viewer_id=ALICE).total == 120
    assert len(outbox.done) == 120


def test_worker_gathers_a_stream_of_changes_into_few_commits(worker_setup) -> None:
    """One notify per image at upload rates: commits are spaced out, yet each image is
    searchable within a second without anyone waiting for the index."""
    index, outbox, worker = worker_setup
    started = time.monotonic()
    for n in range(40):  # 40 images over ~1 s, each its own transaction and notify
        outbox.add(f's{n}', doc(f's{n}', 'Lagoon'))
        worker.notify()
        time.sleep(0.025)
    deadline = time.monotonic() + 1.0
    while index.search('lagoon', viewer_id=ALICE).total < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert index.search('lagoon', viewer_id=ALICE).total == 40
    elapsed = time.monotonic() - started
    # The first change goes in at once; after that at most one commit per MIN_COMMIT_INTERVAL.
    assert len(index.batches) <= 2 + elapsed / MIN_COMMIT_INTERVAL
    assert len(index.batches) < 40
    # Searchable means committed to the index; the outbox is marked just after that commit.
    assert worker.wait_idle(timeout=10)
    assert sorted(outbox.done) == list(range(1, 41))


def test_worker_commits_a_lone_change_at_once_and_wait_idle_skips_the_pause(
    tmp_path: Path,
) -> None:
    index = CountingIndex(tmp_path / 'index')
    index.rebuild([])
    outbox = Outbox()
    # A spacing far longer than any timeout below: only skipping it can pass this test.
    worker = IndexWorker(index, outbox.fetch_pending, outbox.mark_done, min_commit_interval=60)
    worker.start()
    try:
        outbox.add('a', doc('a', 'Fjord'))
        worker.notify()
        deadline = time.monotonic() + 1.0
        while not ids(index, 'fjord') and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ids(index, 'fjord') == ['a']  # the first change after a quiet spell: at once
        outbox.add('b', doc('b', 'Fjord'))
        worker.notify()
        assert worker.wait_idle(timeout=5)
        assert sorted(ids(index, 'fjord')) == ['a', 'b']
    finally:
        worker.stop()


def test_worker_survives_a_failing_fetch(worker_setup) -> None:
    index, outbox, worker = worker_setup
    outbox.fail_next_fetches = 2
    outbox.add('a', doc('a', 'Glacier'))
    worker.notify()
    assert worker.wait_idle(timeout=10)
    assert ids(index, 'glacier') == ['a']
    outbox.add('b', doc('b', 'Glacier'))
    worker.notify()
    assert worker.wait_idle(timeout=5)
    assert sorted(ids(index, 'glacier')) == ['a', 'b']


def test_worker_survives_a_failing_apply(tmp_path: Path) -> None:
    class FlakyIndex(SearchIndex):
        failures = 1

        def apply(self, upserts, deletes) -> None:  # type: ignore[override]
            if self.failures:
                self.failures -= 1
                raise OSError('disk full')
            super().apply(upserts, deletes)

    index = FlakyIndex(tmp_path / 'index')
    index.rebuild([])
    outbox = Outbox()
    worker = IndexWorker(index, outbox.fetch_pending, outbox.mark_done)
    worker.start()
    try:
        outbox.add('a', doc('a', 'Aurora'))
        worker.notify()
        assert worker.wait_idle(timeout=10)
        assert ids(index, 'aurora') == ['a']
        assert outbox.done == [1]
    finally:
        worker.stop()


def test_wait_idle_is_false_when_not_running(tmp_path: Path) -> None:
    index = make_index(tmp_path, [])
    worker = IndexWorker(index, lambda n: [], lambda ids: None)
    assert worker.wait_idle(timeout=0.1) is False
