"""BM25 scoring over cached posting arrays.

A term scores idf(term) * sum over text fields of norm(tf, field length) in a document: BM25
with Whoosh's formulas, the field boost already inside tf (Whoosh multiplies it in at index
time) and one idf per term across the fields. The norms depend only on the document, so they
are computed once per segment and term and cached (with the average field lengths of the time
they were first read, which drift little); idf is applied per query.
"""

from __future__ import annotations

from array import array
from math import log

from whoosh.util.numeric import byte_to_length

K1 = 1.2
B = 0.75


def idf(doc_count: int, doc_freq: int) -> float:
    return log(doc_count / (doc_freq + 1)) + 1.0


def tf_norms(ids: array, weights: array, lengths: bytes, avg_length: float) -> array:
    """norm(tf, length) for each posting; `lengths` holds Whoosh's one-byte length codes."""
    avg = avg_length or 1.0
    denominators = [K1 * ((1 - B) + B * byte_to_length(code) / avg) for code in range(256)]
    k = K1 + 1
    return array(
        'f', [w * k / (w + denominators[lengths[d]]) for d, w in zip(ids, weights, strict=True)]
    )


def accumulate(scores: list[float], ids: array, norms: array, weight: float, offset: int) -> None:
    """Add weight * norm to scores[offset + id] for every posting.

    `scores` is dense (one slot per document number): a list index is cheaper than a dict
    lookup, and scoring documents nobody asked about costs less than checking membership.
    """
    if offset:
        for d, n in zip(ids, norms, strict=True):
            scores[d + offset] += weight * n
    else:
        for d, n in zip(ids, norms, strict=True):
            scores[d] += weight * n
