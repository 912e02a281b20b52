""" "Did you mean": the words of the indexed text as written, and corrections from them.

The index holds stemmed terms ('citi', 'beauti'), which are not words to offer anyone, so the
index folder also keeps its vocabulary: every distinct word (lower-cased, accents folded, not
stemmed) of the documents indexed since the last rebuild, one per line in `words.txt`. Commits
append the words they bring; deletions leave their words behind. A rebuild starts it afresh.

A correction is only offered when its stem finds images the viewer may see, so a stale word or
a word of someone else's private image is never offered for what it is; at most its spelling
is an inflection of a word the viewer has ('lighthouse' where they have 'lighthouses').

Corrections are words within one edit (insert, delete, substitute, or swap two neighbours) of
a word of four letters or more, two edits from eight letters, that share its first letter
(or swap the first two): misspellings rarely start wrong, and it keeps the search to a small
part of the vocabulary. Only words that match nothing are corrected.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh.support.charset import accent_map

from search_index.schema import MIN_WORD_CHARS, IndexDoc

WORDS_FILE = 'words.txt'
ONE_EDIT_CHARS = 4
TWO_EDITS_CHARS = 8
MAX_CHARS = 30  # longer "words" (pasted hashes, ids) are not corrected
MAX_CANDIDATES = 50  # corrections of one word checked against what the viewer may see

# Whoosh's RegexTokenizer pattern, lower-cased and folded like search_index.schema.FOLD, but
# run by `re` alone: a tenth of the cost of the analyzer chain, over the whole text at rebuild.
_WORD = re.compile(r'\w+(?:\.?\w+)*')


def words_of(docs: Iterable[IndexDoc]) -> set[str]:
    """The distinct folded words of the documents' titles, descriptions and tags."""
    found: set[str] = set()
    for doc in docs:
        found.update(_WORD.findall(f'{doc.title}\n{doc.description}\n{" ".join(doc.tags)}'.lower()))
    return {fold(w) for w in found if len(w) >= MIN_WORD_CHARS}


def fold(word: str) -> str:
    return word if word.isascii() else word.translate(accent_map)


def max_edits(word: str) -> int:
    if len(word) < ONE_EDIT_CHARS or len(word) > MAX_CHARS:
        return 0
    return 2 if len(word) >= TWO_EDITS_CHARS else 1


class Vocabulary:
    """The words file of one index folder, loaded in memory and bucketed for corrections."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir) / WORDS_FILE
        self._lock = threading.Lock()
        self._words: set[str] = set()
        # (first letter, length) -> words: the only places a correction can come from.
        self._buckets: dict[tuple[str, int], list[str]] = {}
        self._read_to = 0  # bytes of the file already loaded
        self._inode: int | None = None

    @staticmethod
    def write(index_dir: Path, words: Iterable[str]) -> None:
        """A fresh words file (for a rebuild, before the folder is swapped in)."""
        lines = ''.join(f'{w}\n' for w in sorted(words))
        (Path(index_dir) / WORDS_FILE).write_text(lines, encoding='utf-8')

    def exists(self) -> bool:
        return self.path.is_file()

    def reload(self) -> None:
        """Read what the file gained since the last call (other processes append to it too);
        all of it again when it was replaced by a rebuild."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            with self._lock:
                self._reset()
            return
        with self._lock:
            if stat.st_ino != self._inode or stat.st_size < self._read_to:
                self._reset()
                self._inode = stat.st_ino
            if stat.st_size == self._read_to:
                return
            with open(self.path, 'rb') as fh:
                fh.seek(self._read_to)
                tail = fh.read()
            complete = tail.rfind(b'\n') + 1  # a line still being written waits for next time
            self._read_to += complete
            self._add_locked(tail[:complete].decode('utf-8', 'replace').split())

    def add(self, docs: Iterable[IndexDoc]) -> None:
        """Remember the words of newly indexed documents, in memory and in the file."""
        with self._lock:
            new = sorted(words_of(docs) - self._words)
            if not new:
                return
            data = ''.join(f'{w}\n' for w in new).encode('utf-8')
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
            if size == self._read_to + len(data):  # nobody else appended meanwhile
                self._read_to = size
            self._add_locked(new)

    def corrections(self, word: str) -> list[tuple[int, str]]:
        """(edits, word) for the known words close to `word`, fewest edits first."""
        limit = max_edits(word)
        if not limit:
            return []
        buckets = self._buckets
        found: list[tuple[int, str]] = []
        size = len(word)
        for length in range(size - limit, size + limit + 1):
            for candidate in buckets.get((word[0], length), ()):
                edits = distance(word, candidate, limit)
                if 0 < edits <= limit:
                    found.append((edits, candidate))
            if size >= 2 and word[0] != word[1]:  # the first two letters swapped
                for candidate in buckets.get((word[1], length), ()):
                    if candidate[1:2] == word[:1]:
                        edits = distance(word, candidate, limit)
                        if 0 < edits <= limit:
                            found.append((edits, candidate))
        return sorted(set(found))

    def __len__(self) -> int:
        return len(self._words)

    def _reset(self) -> None:
        self._words, self._buckets, self._read_to, self._inode = set(), {}, 0, None

    def _add_locked(self, words: Iterable[str]) -> None:
        # New lists rather than appending in place: searches read the buckets without the lock.
        grouped: dict[tuple[str, int], list[str]] = {}
        for word in words:
            if word and word not in self._words:
                self._words.add(word)
                grouped.setdefault((word[0], len(word)), []).append(word)
        if grouped:
            buckets = dict(self._buckets)
            for key, more in grouped.items():
                buckets[key] = [*buckets.get(key, ()), *more]
            self._buckets = buckets


def suggest(
    text: str,
    missing: Iterable[str],
    vocabulary: Vocabulary,
    findable: Callable[[str], int],
) -> str | None:
    """`text` with each missing word (folded, as parsed) replaced by its best correction, or None
    when none of them has one. `findable(word)` counts the documents the viewer may see with
    the word; the correction is the closest word they can find, the most found among equals.
    """
    replace: dict[str, str] = {}
    for word in missing:
        best: tuple[int, int, str] | None = None
        for edits, candidate in vocabulary.corrections(word)[:MAX_CANDIDATES]:
            if best is not None and edits > best[0]:
                break
            count = findable(candidate)
            if count and (best is None or (edits, -count, candidate) < best):
                best = (edits, -count, candidate)
        if best is not None:
            replace[word] = best[2]
    if not replace:
        return None

    def swap(match: re.Match[str]) -> str:
        return replace.get(fold(match.group(0).lower()), match.group(0))

    return _WORD.sub(swap, text).strip()


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (Levenshtein plus swaps of neighbours), or limit + 1
    as soon as it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        best = i
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
