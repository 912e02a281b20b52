"""Bulk reads from one Whoosh segment: postings, field lengths, numeric columns, deletions.

Whoosh's public API hands these out one document at a time through Python method calls, which
dominates search time on common words. The W3 codec (the only one in whoosh 2.7, pinned in
pyproject.toml) stores them in blocks and columns that can be read whole, so this module does
that, touching private attributes. Every function falls back to the public API when the
objects are not the ones it expects. Nothing else in the package touches Whoosh internals.

Postings are read raw, deleted documents included: a segment never changes, so the arrays can
be cached for its lifetime; callers remove deleted documents with `deleted_docs`.
"""

from __future__ import annotations

import sys
from array import array

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching import FilterMatcher, Matcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.util.numeric import length_to_byte


def postings(reader: IndexReader, field: str, text: object) -> tuple[array, array]:
    """(document numbers, weights) of a term in one segment reader; empty if absent.

    The weight is the term frequency times the field boost.
    """
    ids, weights = array('i'), array('f')
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return ids, weights
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        # SegmentReader hides deleted documents with this wrapper; it may already have stepped
        # over deleted documents at the start, which is fine since they stay deleted.
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher):
        _read_blocks(matcher, ids, weights)
    else:
        _read_stepwise(matcher, ids, weights)
    return ids, weights


def _read_blocks(m: W3LeafMatcher, ids: array, weights: array) -> None:
    while not m._atend:
        if m._i < m._blocklength:
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            ids.extend(m._ids[m._i :])
            weights.extend(m._weights[m._i :])
        m._next_block()


def _read_stepwise(m: Matcher, ids: array, weights: array) -> None:
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()


def length_bytes(reader: IndexReader, field: str) -> bytes:
    """Whoosh's one-byte length code of `field` for every document of the segment
    (decode with whoosh.util.numeric.byte_to_length; 0 means empty)."""
    count = reader.doc_count_all()
    try:
        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    except AttributeError:
        column = False
    if column is None:
        return bytes(count)
    raw = _raw_numeric(column, 'B', count)
    if raw is not None:
        return raw.tobytes()
    return bytes(length_to_byte(reader.doc_field_length(d, field, 0)) for d in range(count))


def int64_column(reader: IndexReader, field: str) -> array:
    """All values of a NumericColumn('q') field, indexed by document number."""
    count = reader.doc_count_all()
    if not reader.has_column(field):
        return array('q', bytes(8 * count))
    column = reader.column_reader(field, translate=False)
    raw = _raw_numeric(column, 'q', count)
    return raw if raw is not None else array('q', (column[d] for d in range(count)))


def _raw_numeric(column: object, typecode: str, count: int) -> array | None:
    """A fixed-width NumericColumn read in one go (stored big-endian, padded with defaults)."""
    if not isinstance(column, NumericColumn.Reader) or column._typecode != typecode:
        return None
    values = array(typecode)
    stored = min(column._count, count)
    values.frombytes(column._dbfile.get(column._basepos, stored * values.itemsize))
    if sys.byteorder == 'little' and values.itemsize > 1:
        values.byteswap()
    if stored < count:
        values.extend([column._default] * (count - stored))
    return values


def deleted_docs(reader: IndexReader) -> frozenset[int]:
    """Segment-local numbers of deleted documents."""
    if not reader.has_deletions():
        return frozenset()
    deleted = getattr(reader, 'deleted_docs_set', None)
    if isinstance(deleted, frozenset):
        return deleted
    return frozenset(d for d in range(reader.doc_count_all()) if reader.is_deleted(d))
