"""Turning user text into words, and words into the indexed terms they stand for.

No query parser is involved: the text only ever becomes plain terms, so field names, wildcards,
ranges, quotes, parentheses and AND/OR/NOT have no effect and cannot raise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from whoosh.analysis import STOP_WORDS

from repo.core.errors import Invalid
from search_index.schema import FOLD, MIN_WORD_CHARS, stem

MAX_QUERY_CHARS = 256
# Words beyond this are ignored: a pasted paragraph should not build a huge query.
MAX_WORDS = 12
# The last word also matches indexed terms starting with it, keeping the most frequent ones.
# Two letters expand to few terms, longer prefixes to more; one letter never expands.
PREFIX_MIN_CHARS = 2
PREFIX_LIMITS = {2: 8, 3: 24}
PREFIX_LIMIT_LONG = 32
# Terms reached by prefix expansion count less than the word itself.
EXPANSION_BOOST = 0.5
# If a half-typed word matches nothing ('runni'), try the longest indexed term that it starts
# with ('run'), dropping at most this many letters and keeping at least three.
BACKOFF_MAX_DROP = 3
BACKOFF_MIN_CHARS = 3
# A prefix whose usual expansions find nothing the viewer may see ('ca' when the most frequent
# 'ca...' terms are all in other people's private images) is expanded again this far, keeping
# only terms the viewer can find: typing a word that exists never drops to zero results.
PREFIX_LIMIT_WIDE = 2000


@dataclass(frozen=True)
class Word:
    """One word of the user's text."""

    raw: str  # lower-cased and accent-folded, as typed
    term: str  # the indexed form (stemmed)
    prefix: bool  # also match indexed terms that start with `raw`


def check_length(text: str) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise Invalid(f'Search text is too long (at most {MAX_QUERY_CHARS} characters)')


def parse_words(text: str) -> list[Word]:
    """The distinct words of `text`, in order; the last one is marked as a prefix.

    Stop words ('the', 'at', 'can') are left out beside other words, except as the last word,
    which may be the start of a longer one ('can' of 'canon'); text made only of stop words
    searches for them. Raises Invalid for text over MAX_QUERY_CHARS; blank or
    punctuation-only text gives [].
    """
    check_length(text)
    tokens = [t.text for t in FOLD(text, mode='query')]
    tokens = [t for t in tokens if len(t) >= MIN_WORD_CHARS]
    if not tokens:
        return []
    content = [t for t in tokens[:-1] if t not in STOP_WORDS]
    if content or tokens[-1] not in STOP_WORDS:
        tokens = [*content, tokens[-1]]
    last = Word(raw=tokens[-1], term=stem(tokens[-1]), prefix=len(tokens[-1]) >= PREFIX_MIN_CHARS)
    words: list[Word] = []
    seen = {last.term}
    for raw in tokens[:-1]:
        term = stem(raw)
        if term not in seen and len(words) < MAX_WORDS - 1:
            seen.add(term)
            words.append(Word(raw=raw, term=term, prefix=False))
    words.append(last)
    return words


def prefix_limit(prefix: str) -> int:
    if len(prefix) < PREFIX_MIN_CHARS:
        return 0
    return PREFIX_LIMITS.get(len(prefix), PREFIX_LIMIT_LONG)


def word_terms(
    word: Word,
    expand: Callable[[str, int], list[str]],
    exists: Callable[[str], bool],
) -> list[tuple[str, float]]:
    """The indexed terms (with boosts) one word stands for.

    `expand(prefix, limit)` returns the most frequent indexed terms starting with prefix;
    `exists(term)` tells whether any text field holds the term.
    """
    terms = [(word.term, 1.0)]
    if not word.prefix:
        return terms
    expansions = [t for t in expand(word.raw, prefix_limit(word.raw)) if t != word.term]
    terms += [(t, EXPANSION_BOOST) for t in expansions]
    if not expansions and not exists(word.term):
        lowest = max(BACKOFF_MIN_CHARS, len(word.raw) - BACKOFF_MAX_DROP)
        for size in range(len(word.raw) - 1, lowest - 1, -1):
            if exists(word.raw[:size]):
                terms.append((word.raw[:size], EXPANSION_BOOST))
                break
    return terms
