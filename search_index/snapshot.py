"""One generation of the index: a Whoosh searcher plus what is cached for it.

Global document numbers (segment offset + local number) are only stable within one
generation, so the permission sets and prefix expansions cached here die with the snapshot.
Arrays read from segments live longer, in SegmentCache: a segment never changes once written,
only its deletion list grows, and deleted documents are removed through the visible sets.

Not thread-safe: Whoosh readers share file positions, so SearchIndex only touches a snapshot
(and the SegmentCache) while holding its lock.
"""

from __future__ import annotations

from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search_index import segments
from search_index.schema import TEXT_FIELDS
from search_index.scoring import idf, tf_norms

DocSet = set[int] | frozenset[int]

# Postings kept in memory across searches (about 8 bytes each): the hot terms of a large index.
MAX_CACHED_POSTINGS = 3_000_000
# Bounded caches per snapshot: viewers' permission sets (a set of document numbers each, about
# 2 MB per 50,000 visible documents) and prefix expansions.
MAX_CACHED_VIEWERS = 16
MAX_CACHED_PREFIXES = 1024


@dataclass(frozen=True)
class Postings:
    """A term's documents in one segment; for text terms also their BM25 norms, summed over
    the text fields (one list per term rather than per field: fewer postings to visit)."""

    ids: array
    norms: array | None = None


TEXT = '*text*'  # cache key standing for "all text fields"


class SegmentCache:
    """Arrays read from segments, keyed by segment id (unique within an index folder)."""

    def __init__(self, max_postings: int = MAX_CACHED_POSTINGS) -> None:
        self._max_postings = max_postings
        self._postings: OrderedDict[tuple[str, str, object], Postings] = OrderedDict()
        self._size = 0
        self._lengths: dict[tuple[str, str], bytes] = {}
        self._created: dict[tuple[str, str], array] = {}  # (segment, column) -> values

    def field_postings(self, reader: IndexReader, segid: str, field: str, text: object) -> Postings:
        """Documents with an exact term in a filter field (owner_id, public, tag)."""
        key = (segid, field, text)
        found = self._get(key)
        if found is None:
            found = self._put(key, Postings(segments.postings(reader, field, text)[0]))
        return found

    def text_postings(
        self, reader: IndexReader, segid: str, text: str, avg_lengths: dict[str, float]
    ) -> Postings:
        """Documents with the term in any text field, with norms summed over the fields."""
        key = (segid, TEXT, text)
        found = self._get(key)
        if found is None:
            per_field = []
            for field in TEXT_FIELDS:
                ids, weights = segments.postings(reader, field, text)
                if len(ids):
                    lengths = self.lengths(reader, segid, field)
                    per_field.append((ids, tf_norms(ids, weights, lengths, avg_lengths[field])))
            found = self._put(key, _merge(per_field))
        return found

    def _get(self, key: tuple[str, str, object]) -> Postings | None:
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
        return found

    def _put(self, key: tuple[str, str, object], found: Postings) -> Postings:
        if not len(found.ids):
            return found  # absent terms are cheap to look up again; don't let them pile up
        self._postings[key] = found
        self._size += len(found.ids)
        while self._size > self._max_postings and len(self._postings) > 1:
            _, old = self._postings.popitem(last=False)
            self._size -= len(old.ids)
        return found

    def lengths(self, reader: IndexReader, segid: str, field: str) -> bytes:
        key = (segid, field)
        if key not in self._lengths:
            self._lengths[key] = segments.length_bytes(reader, field)
        return self._lengths[key]

    def created(self, reader: IndexReader, segid: str, column: str = 'created') -> array:
        """A date column of a segment: 'created' (upload time) or 'taken' (the timeline)."""
        key = (segid, column)
        if key not in self._created:
            self._created[key] = segments.int64_column(reader, column)
        return self._created[key]

    def keep_only(self, segids: Iterable[str]) -> None:
        """Forget segments that are gone (merged away or replaced by a rebuild)."""
        keep = set(segids)
        for key in [k for k in self._postings if k[0] not in keep]:
            self._size -= len(self._postings.pop(key).ids)
        self._lengths = {k: v for k, v in self._lengths.items() if k[0] in keep}
        self._created = {k: v for k, v in self._created.items() if k[0] in keep}


def _merge(per_field: list[tuple[array, array]]) -> Postings:
    """One posting list from several (ids, norms) lists, norms of the same document summed."""
    if not per_field:
        return Postings(array('i'), array('f'))
    if len(per_field) == 1:
        return Postings(*per_field[0])
    per_field.sort(key=lambda pair: -len(pair[0]))
    summed = dict(zip(*per_field[0], strict=True))  # the longest list in one C-level call
    get = summed.get
    for ids, norms in per_field[1:]:
        for d, n in zip(ids, norms, strict=True):
            summed[d] = get(d, 0.0) + n
    ids = array('i', sorted(summed))
    return Postings(ids, array('f', map(summed.__getitem__, ids)))


class Snapshot:
    def __init__(self, searcher: Searcher, cache: SegmentCache) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self._cache = cache
        # (reader, offset, segment id) for each segment; an empty index has none.
        self._leaves: list[tuple[IndexReader, int, str]] = [
            (r, offset, r.segment().segment_id())
            for r, offset in self.reader.leaf_readers()
            if r.segment() is not None
        ]
        self._doc_count_all = self.reader.doc_count_all()
        self._avg_lengths = {
            f: self.reader.field_length(f) / max(1, self._doc_count_all) for f in TEXT_FIELDS
        }
        self._deleted: frozenset[int] | None = None
        self._public: DocSet | None = None
        self._owners: dict[int, DocSet] = {}
        self._allowed: dict[int | None, DocSet] = {}
        self._prefixes: dict[tuple[str, int], list[str]] = {}
        self._created: dict[str, array] = {}

    def segment_ids(self) -> list[str]:
        return [segid for _, _, segid in self._leaves]

    def doc_count(self) -> int:
        return self.reader.doc_count()

    def doc_count_all(self) -> int:
        """Highest document number + 1 (deleted documents included)."""
        return self._doc_count_all

    # -- postings ------------------------------------------------------------------------------

    def text_postings(self, text: str) -> list[tuple[int, Postings]]:
        """(segment offset, postings) of a term in the text fields, for each segment with it."""
        out = []
        for reader, offset, segid in self._leaves:
            found = self._cache.text_postings(reader, segid, text, self._avg_lengths)
            if len(found.ids):
                out.append((offset, found))
        return out

    def text_idf(self, found: Sequence[tuple[int, Postings]]) -> float:
        """idf of a term from its postings (documents with it in any text field)."""
        return idf(self._doc_count_all, sum(len(p.ids) for _, p in found))

    # -- document sets (global document numbers) ---------------------------------------------

    def text_docs(self, terms: Iterable[str], within: DocSet) -> DocSet:
        """Documents in `within` with any of the terms in a text field."""
        # Intersecting straight from the arrays never builds the (larger) unfiltered set.
        parts = [
            within.intersection([d + offset for d in found.ids] if offset else found.ids)
            for text in terms
            for offset, found in self.text_postings(text)
        ]
        if len(parts) == 1:
            return parts[0]
        return set().union(*parts)

    def field_docs(self, field: str, value: object) -> set[int]:
        """Documents with an exact value in a filter field (possibly including deleted ones)."""
        out: set[int] = set()
        for reader, offset, segid in self._leaves:
            ids = self._cache.field_postings(reader, segid, field, value).ids
            out.update([d + offset for d in ids] if offset else ids)
        return out

    def deleted_docs(self) -> frozenset[int]:
        if self._deleted is None:
            deleted: set[int] = set()
            for reader, offset, _ in self._leaves:
                local = segments.deleted_docs(reader)
                deleted.update([d + offset for d in local] if offset else local)
            self._deleted = frozenset(deleted)
        return self._deleted

    def public_docs(self) -> DocSet:
        """Live public documents."""
        if self._public is None:
            self._public = frozenset(self.field_docs('public', True) - self.deleted_docs())
        return self._public

    def owner_docs(self, owner_id: int) -> DocSet:
        """Live documents of one owner."""
        docs = self._owners.get(owner_id)
        if docs is None:
            if len(self._owners) >= MAX_CACHED_VIEWERS:
                self._owners.clear()
            docs = frozenset(self.field_docs('owner_id', str(owner_id)) - self.deleted_docs())
            self._owners[owner_id] = docs
        return docs

    def allowed_docs(self, viewer_id: int | None) -> DocSet:
        """Public documents plus the viewer's own (public only for anonymous viewers)."""
        docs = self._allowed.get(viewer_id)
        if docs is None:
            docs = self.public_docs()
            if viewer_id is not None:
                docs = docs | self.owner_docs(viewer_id)
            if len(self._allowed) >= MAX_CACHED_VIEWERS:
                self._allowed.clear()
            self._allowed[viewer_id] = docs
        return docs

    def tag_docs(self, tag: str) -> set[int]:
        return self.field_docs('tag', tag)

    # -- terms ---------------------------------------------------------------------------------

    def expand_prefix(self, prefix: str, limit: int) -> list[str]:
        """Up to `limit` indexed terms starting with prefix, most frequent first."""
        if limit <= 0:
            return []
        key = (prefix, limit)
        terms = self._prefixes.get(key)
        if terms is None:
            freqs: Counter[str] = Counter()
            for field in TEXT_FIELDS:
                for btext, info in self.reader.iter_prefix(field, prefix):
                    freqs[btext.decode('utf-8')] += info.doc_frequency()
            ranked = sorted(freqs.items(), key=lambda kv: (-kv[1], kv[0]))
            terms = [t for t, _ in ranked[:limit]]
            if len(self._prefixes) >= MAX_CACHED_PREFIXES:
                self._prefixes.clear()
            self._prefixes[key] = terms
        return terms

    def has_term(self, text: str) -> bool:
        return any((field, text) in self.reader for field in TEXT_FIELDS)

    # -- per-document values -----------------------------------------------------------------

    def created(self, column: str = 'created') -> array:
        """A date column ('created' or 'taken') for every global document number."""
        if column not in self._created:
            values = array('q')
            for reader, _, segid in self._leaves:
                values.extend(self._cache.created(reader, segid, column))
            self._created[column] = values
        return self._created[column]

    def image_ids(self, docnums: Iterable[int]) -> list[str]:
        stored = self.searcher.stored_fields
        return [stored(d)['image_id'] for d in docnums]
