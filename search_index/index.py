"""SearchIndex: the Whoosh index folder, its writer and a shared, refreshed searcher.

The index is a cache of the database: open() says whether it is usable, rebuild() recreates it
from documents the caller supplies, apply() writes one batch of changes in one commit.

Threads: searches share one snapshot under `_read_lock` (Whoosh readers keep file positions,
so they must not be used by two threads at once; the work is CPU-bound Python anyway, so the
lock costs little). Writes are serialised by `_write_lock`. A new snapshot is opened after each
commit made here, and at most every REFRESH_CHECK_SECONDS for commits made by other processes.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex

from search_index.query import Word, parse_words
from search_index.ranking import EMPTY, SearchHits, check_options, run_search, visible_docs
from search_index.schema import SCHEMA, SCHEMA_VERSION, IndexDoc, doc_fields, stem
from search_index.snapshot import DocSet, SegmentCache, Snapshot
from search_index.spelling import Vocabulary, suggest, words_of

log = logging.getLogger(__name__)

VERSION_FILE = 'shoebox-index.json'
REFRESH_CHECK_SECONDS = 1.0
WRITER_LIMIT_MB = 128
# How long a writer waits for Whoosh's lock (held by another process, e.g. a CLI reindex).
WRITER_LOCK_TIMEOUT = 30.0
VOCABULARY_BATCH = 1000  # documents whose words are gathered at a time during a rebuild


class IndexNotOpen(RuntimeError):
    """search/apply was called before open() succeeded or rebuild() ran."""


class SearchIndex:
    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._ix: FileIndex | None = None
        self._snap: Snapshot | None = None
        self._cache = SegmentCache()
        self._vocabulary = Vocabulary(self.index_dir)
        self._checked_at = 0.0
        self._read_lock = threading.RLock()
        self._write_lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------

    def open(self) -> bool:
        """Open the existing index. False when it is missing, from another schema version or
        unreadable; the caller then calls rebuild()."""
        if _read_version(self.index_dir) != SCHEMA_VERSION or not self._vocabulary.exists():
            return False
        with self._read_lock:
            try:
                ix = whoosh_index.open_dir(str(self.index_dir))
                if set(ix.schema.names()) != set(SCHEMA.names()):
                    return False
                snap = self._new_snapshot(ix)
                snap.public_docs()  # reads postings: a damaged segment fails here, not later
                self._vocabulary.reload()
            except Exception:
                log.warning('search index at %s is unreadable', self.index_dir, exc_info=True)
                return False
            self._swap(ix, snap)
        return True

    def healthy(self) -> bool:
        """Open, and its folder still there with this schema's version (cheap: one small file
        read, for a health check polled every second)."""
        return self._ix is not None and _read_version(self.index_dir) == SCHEMA_VERSION

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        """Recreate the index from `docs` and return how many were indexed.

        Builds in a sibling folder and swaps it in at the end, so searches keep working on the
        old index meanwhile and a failed rebuild leaves the old one in place. Holds the write
        lock throughout, so no batch can be applied to the index that is about to be replaced.
        """
        parent = self.index_dir.parent
        tmp = parent / f'.{self.index_dir.name}.rebuild'
        old = parent / f'.{self.index_dir.name}.old'
        with self._write_lock:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            try:
                count = _build(tmp, docs)
                (tmp / VERSION_FILE).write_text(json.dumps({'schema_version': SCHEMA_VERSION}))
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            with self._read_lock:
                self._close_current()
                shutil.rmtree(old, ignore_errors=True)
                if self.index_dir.exists():
                    os.replace(self.index_dir, old)
                os.replace(tmp, self.index_dir)
                shutil.rmtree(old, ignore_errors=True)
                ix = whoosh_index.open_dir(str(self.index_dir))
                self._swap(ix, self._new_snapshot(ix))
                self._vocabulary.reload()
        log.info('search index rebuilt with %d documents', count)
        return count

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            self._close_current()

    # -- writing -------------------------------------------------------------------------------

    def apply(self, upserts: Sequence[IndexDoc], deletes: Sequence[str]) -> None:
        """Write one batch in one commit. Deletes go first, so an id that is both deleted and
        upserted ends up indexed; of several upserts for one id the last wins."""
        if not upserts and not deletes:
            return
        latest = {doc.image_id: doc for doc in upserts}
        with self._write_lock:
            ix = self._require_ix()
            writer = ix.writer(limitmb=64, timeout=WRITER_LOCK_TIMEOUT)
            try:
                for image_id in dict.fromkeys(deletes):
                    if image_id not in latest:
                        writer.delete_by_term('image_id', image_id)
                for doc in latest.values():
                    writer.update_document(**doc_fields(doc))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self._vocabulary.add(latest.values())
            # Open the new generation here, in the writer's thread, rather than in the next
            # search request.
            self._refresh(force=True)

    # -- reading -------------------------------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        viewer_id: int | None,
        owner_id: int | None = None,
        visibility: str | None = None,
        tags: Sequence[str] = (),
        color: str | None = None,
        sort: str = 'relevance',
        limit: int = 50,
        offset: int = 0,
    ) -> SearchHits:
        """One page of the images matching `text` that `viewer_id` may see.

        Raises repo.errors.Invalid for text over 256 characters or unknown options. Blank or
        punctuation-only text matches nothing. When some words find nothing, `suggestion` is
        the text with those words corrected to words the viewer can find, if there are any.
        """
        check_options(visibility, sort, limit, offset)
        words = parse_words(text)
        if not words:
            return EMPTY
        with self._read_lock:
            snap = self._refresh()
            visible = visible_docs(snap, viewer_id, owner_id, visibility, tags, color)
            if not visible:
                return EMPTY

            def correct(missing: Sequence[Word]) -> str | None:
                return self._suggest(snap, text, missing, visible)

            return run_search(snap, words, visible, sort, limit, offset, correct)

    def doc_count(self) -> int:
        with self._read_lock:
            return self._refresh().doc_count()

    # -- internals -----------------------------------------------------------------------------

    def _suggest(
        self, snap: Snapshot, text: str, missing: Sequence[Word], visible: DocSet
    ) -> str | None:
        def findable(word: str) -> int:
            return len(snap.text_docs([stem(word)], visible))

        return suggest(text, [w.raw for w in missing], self._vocabulary, findable)

    def _require_ix(self) -> FileIndex:
        if self._ix is None:
            raise IndexNotOpen('search index is not open; call open() or rebuild() first')
        return self._ix

    def _new_snapshot(self, ix: FileIndex) -> Snapshot:
        return Snapshot(ix.searcher(), self._cache)

    def _refresh(self, force: bool = False) -> Snapshot:
        """The current snapshot, replaced first if the index has a newer commit.

        Opens a fresh searcher rather than calling Searcher.refresh(): in whoosh-reloaded
        2.7.5 that reuses readers of segments a merge has removed, so replaced and deleted
        documents come back (tests/test_search_index.py pins this).
        """
        if force:
            # Open the new searcher before taking the lock, so searches keep going meanwhile.
            ix = self._require_ix()
            new = self._new_snapshot(ix)
            with self._read_lock:
                self._swap(ix, new)
                new.public_docs()  # warm up here rather than in the next search request
            return new
        with self._read_lock:
            ix = self._require_ix()
            snap = self._snap
            now = time.monotonic()
            if snap is not None and now - self._checked_at < REFRESH_CHECK_SECONDS:
                return snap
            self._checked_at = now
            if snap is not None:
                try:
                    if snap.searcher.up_to_date():
                        return snap
                except OSError:
                    # The folder vanished under us: keep serving what is open; apply() will
                    # fail and the caller can rebuild.
                    log.warning('search index at %s is gone', self.index_dir, exc_info=True)
                    return snap
            new = self._new_snapshot(ix)
            self._swap(ix, new)
            self._vocabulary.reload()  # words appended by the process that committed
            return new

    def _swap(self, ix: FileIndex, snap: Snapshot) -> None:
        with self._read_lock:
            old_snap, old_ix = self._snap, self._ix
            self._ix, self._snap = ix, snap
            self._checked_at = time.monotonic()
            self._cache.keep_only(snap.segment_ids())
            if old_snap is not None:
                old_snap.searcher.close()
            if old_ix is not None and old_ix is not ix:
                old_ix.close()

    def _close_current(self) -> None:
        if self._snap is not None:
            self._snap.searcher.close()
        if self._ix is not None:
            self._ix.close()
        self._snap = self._ix = None


def _read_version(index_dir: Path) -> int | None:
    try:
        return int(json.loads((index_dir / VERSION_FILE).read_text())['schema_version'])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _build(folder: Path, docs: Iterable[IndexDoc]) -> int:
    """Index all docs into a new index in `folder` with one writer and one commit, and write
    their vocabulary beside it."""
    ix = whoosh_index.create_in(str(folder), SCHEMA)
    writer = ix.writer(limitmb=WRITER_LIMIT_MB)
    seen: set[str] = set()
    words: set[str] = set()
    batch: list[IndexDoc] = []
    try:
        for doc in docs:
            if doc.image_id in seen:
                continue
            seen.add(doc.image_id)
            writer.add_document(**doc_fields(doc))
            batch.append(doc)
            if len(batch) == VOCABULARY_BATCH:
                words |= words_of(batch)
                batch.clear()
        words |= words_of(batch)
    except BaseException:
        writer.cancel()
        ix.close()
        raise
    writer.commit()
    ix.close()
    Vocabulary.write(folder, words)
    return len(seen)
