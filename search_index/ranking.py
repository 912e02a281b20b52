"""Running one search against a snapshot: filters, counting, ranking and paging.

Everything works on sets of global document numbers: the visible set (permission filter plus
the caller's filters) is intersected with each word's documents, which gives the total and
the two tiers (documents with all words first, then those with some). Ranking within a tier is
BM25 over cached posting arrays, or the creation date.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from repo.core.errors import Invalid
from search_index.query import (
    EXPANSION_BOOST,
    PREFIX_LIMIT_WIDE,
    Word,
    prefix_limit,
    word_terms,
)
from search_index.scoring import accumulate
from search_index.snapshot import DocSet, Snapshot

SORTS = ('relevance', 'newest', 'oldest', 'uploaded_newest', 'uploaded_oldest')
# The date column each sort walks: the timeline (date taken, else upload) or the upload time.
SORT_COLUMN = {
    'newest': 'taken',
    'oldest': 'taken',
    'uploaded_newest': 'created',
    'uploaded_oldest': 'created',
}
VISIBILITIES = (None, 'public', 'private')


@dataclass(frozen=True)
class SearchHits:
    ids: list[str]  # page of image ids in rank order
    total: int  # total number of matches visible to the viewer (after filters)
    # The text with its words that found nothing corrected ('hrbour' -> 'harbour'), if any.
    suggestion: str | None = None


EMPTY = SearchHits([], 0)

Terms = list[tuple[str, float]]  # (indexed term, boost) alternatives of one word


def check_options(visibility: str | None, sort: str, limit: int, offset: int) -> None:
    if sort not in SORTS:
        raise Invalid(f'Unknown sort {sort!r} (use one of: {", ".join(SORTS)})')
    if visibility not in VISIBILITIES:
        raise Invalid(f'Unknown visibility {visibility!r} (use public or private)')
    if limit < 0 or offset < 0:
        raise Invalid('limit and offset must not be negative')


def visible_docs(
    snap: Snapshot,
    viewer_id: int | None,
    owner_id: int | None,
    visibility: str | None,
    tags: Sequence[str],
    color: str | None = None,
) -> DocSet:
    """The live documents this viewer may see, narrowed by the extra filters."""
    docs = snap.allowed_docs(viewer_id)
    if owner_id is not None:
        docs = docs & snap.owner_docs(owner_id)
    if visibility == 'public':
        docs = docs & snap.public_docs()
    elif visibility == 'private':
        docs = docs - snap.public_docs()
    for tag in tags:
        tag = tag.strip().lower()
        if tag and docs:
            docs = docs & snap.tag_docs(tag)
    if color and docs:
        docs = docs & snap.field_docs('color', color)
    return docs


def run_search(
    snap: Snapshot,
    words: Sequence[Word],
    visible: DocSet,
    sort: str,
    limit: int,
    offset: int,
    correct: Callable[[Sequence[Word]], str | None] = lambda missing: None,
) -> SearchHits:
    """One page of the visible documents matching the words, with the total.

    `correct(words)` is asked for a suggestion when some words find nothing.
    """
    terms = [word_terms(w, snap.expand_prefix, snap.has_term) for w in words]
    word_docs = [snap.text_docs([t for t, _ in ts], visible) for ts in terms]
    for i, word in enumerate(words):
        if word.prefix and not word_docs[i]:
            wider = visible_expansions(snap, word, visible)
            if wider:
                terms[i] = wider
                word_docs[i] = snap.text_docs([t for t, _ in wider], visible)
    missing = [w for w, docs in zip(words, word_docs, strict=True) if not docs]
    suggestion = correct(missing) if missing else None
    if len(word_docs) == 1:
        any_docs = all_docs = word_docs[0]
    else:
        any_docs = set().union(*word_docs)
        smallest, *others = sorted(word_docs, key=len)
        all_docs = smallest.intersection(*others)
    if not any_docs:
        return SearchHits([], 0, suggestion)
    need = offset + limit
    if need == 0:
        return SearchHits([], len(any_docs), suggestion)

    # Tier 1: documents with all the words; tier 2 (only if the page reaches it): the rest.
    tiers = [all_docs]
    if len(all_docs) < need and len(any_docs) > len(all_docs):
        tiers.append(any_docs - all_docs)
    if sort == 'relevance':
        scores = score_docs(snap, terms)
        key = scores.__getitem__
        pick = heapq.nlargest
    else:
        key = snap.created(SORT_COLUMN[sort]).__getitem__
        pick = heapq.nlargest if sort in ('newest', 'uploaded_newest') else heapq.nsmallest
    ranked: list[int] = []
    for docs in tiers:
        ranked += pick(need - len(ranked), docs, key=key)
    return SearchHits(snap.image_ids(ranked[offset:need]), len(any_docs), suggestion)


def visible_expansions(snap: Snapshot, word: Word, visible: DocSet) -> Terms:
    """The most frequent terms starting with the word that the viewer can find, when its usual
    expansions found nothing for them (see PREFIX_LIMIT_WIDE)."""
    wanted = prefix_limit(word.raw)
    found: Terms = []
    for term in snap.expand_prefix(word.raw, PREFIX_LIMIT_WIDE if wanted else 0):
        if len(found) == wanted:
            break
        if term != word.term and snap.text_docs([term], visible):
            found.append((term, EXPANSION_BOOST))
    return found


def score_docs(snap: Snapshot, terms: Sequence[Terms]) -> list[float]:
    """BM25 score of every document (by global number), summed over words and their terms."""
    scores = [0.0] * snap.doc_count_all()
    for alternatives in terms:
        for text, boost in alternatives:
            found = snap.text_postings(text)
            if found:
                weight = boost * snap.text_idf(found)
                for offset, postings in found:
                    accumulate(scores, postings.ids, postings.norms, weight, offset)
    return scores
