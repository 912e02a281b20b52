"""Search latency through Library.search (Whoosh index + permission filter + rows from SQLite),
beside SQLite FTS5 on the same generated documents.

    uv run python bench/search.py                 # 100,000 documents, human-readable
    uv run python bench/search.py --json          # one JSON object on stdout
    uv run python bench/search.py --docs 10000    # a quick run
    uv run python bench/search.py --keep bench/out/search  # reuse the built library next time

Documents: titles of 3-7 words, descriptions of 10-30 words and 0-5 tags, drawn from a
Zipf-like vocabulary of a few thousand photo-ish words, ~20 owners, about half public.
Queries: one and two words (common, mid, rare and mixed) plus prefix-typing cases, searched as
a logged-in viewer (permission filter on), limit 60, total count included. Each query runs
several times on a warm searcher; per-query medians feed the p50/p95 figures. Typo queries
(one letter dropped or swapped) are measured apart, with how often "did you mean" names the
intended word.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from repo.config import Settings
from repo.db.tables import Image, ImageTag, Tag, User
from repo.library import Library
from search_index import IndexDoc, SearchIndex

SEED = 20240601
OWNERS = 20
VIEWER_ID = 7
LIMIT = 60
RUNS = 7
START = datetime(2019, 1, 1, tzinfo=UTC)

PHOTO_TEXT = """
sunset beach mountain lake river forest city street night sky cloud tree flower dog cat bird
portrait family wedding party snow winter summer spring autumn light shadow water ocean sea
wave sand rock bridge building tower church garden park road car train boat harbor island
desert field meadow hill valley sunrise morning evening reflection window door house village
market food coffee breakfast dinner friend child baby kid smile festival concert music dance
sport football runner cyclist bike horse cow sheep farm barn fence path trail waterfall canyon
glacier volcano cave cliff coast lighthouse pier dock sail yacht kayak fishing fisherman net
rain storm thunder lightning fog mist rainbow star moon galaxy milky way aurora camping tent
fire campfire hiking backpack climber summit peak ridge pine oak maple leaf leaves blossom
cherry rose tulip sunflower daisy lily orchid butterfly bee insect spider frog lizard snake
turtle fish whale dolphin seal penguin bear deer fox wolf rabbit squirrel owl eagle hawk duck
swan goose pigeon parrot zoo museum gallery statue monument castle palace temple mosque
cathedral ruin skyline skyscraper downtown alley graffiti mural neon sign traffic bus taxi
subway station airport plane travel vacation holiday hotel pool resort palm tropical jungle
safari elephant lion giraffe zebra monkey tiger panda kitchen cake bread fruit apple orange
lemon grape wine beer cocktail restaurant cafe bar table chair book library reading desk
office laptop phone camera lens film vintage retro old new black white red blue green yellow
purple pink golden silver colorful bright dark minimal abstract texture pattern macro closeup
detail wide panorama aerial drone landscape seascape cityscape architecture interior exterior
people crowd couple love kiss hug laugh play game toy birthday christmas halloween easter
graduation school student teacher class team match stadium race marathon swim surf skate
ski snowboard sled ice frozen cold warm hot sunny cloudy windy rainy misty calm quiet busy
running walking sitting standing jumping flying sleeping eating drinking reading painting
"""


# -- corpus ------------------------------------------------------------------------------------


def make_vocabulary(size: int, rng: random.Random) -> list[str]:
    """Real photo words first (they get the frequent ranks), then made-up words."""
    words = list(dict.fromkeys(PHOTO_TEXT.split()))
    syllables = [c + v for c in 'bcdfghklmnprstvz' for v in 'aeiou']
    seen = set(words)
    while len(words) < size:
        word = ''.join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_weights(size: int, s: float = 1.0, q: float = 2.7) -> list[float]:
    """Zipf-Mandelbrot weights: 1 / (rank + q) ** s."""
    return [1.0 / (rank + q) ** s for rank in range(1, size + 1)]


@dataclass(frozen=True)
class Corpus:
    vocab: list[str]
    docs: list[IndexDoc]


def make_corpus(n: int, vocab_size: int = 4000, seed: int = SEED) -> Corpus:
    rng = random.Random(seed)
    vocab = make_vocabulary(vocab_size, rng)
    cum = _cumulative(zipf_weights(len(vocab)))
    tag_vocab = vocab[:600]
    tag_cum = _cumulative(zipf_weights(len(tag_vocab), s=1.1))
    start = datetime(2019, 1, 1)

    def words(k: int) -> list[str]:
        return rng.choices(vocab, cum_weights=cum, k=k)

    docs = []
    for i in range(n):
        title = ' '.join(words(rng.randint(3, 7))).capitalize()
        description = ' '.join(words(rng.randint(10, 30))) + '.'
        tags = tuple(
            dict.fromkeys(rng.choices(tag_vocab, cum_weights=tag_cum, k=rng.randint(0, 5)))
        )
        docs.append(
            IndexDoc(
                image_id=f'img{i:019d}',
                owner_id=rng.randint(1, OWNERS),
                public=rng.random() < 0.5,
                title=title,
                description=description,
                tags=tags,
                created_at=start + timedelta(seconds=rng.randint(0, 5 * 365 * 86400)),
            )
        )
    return Corpus(vocab, docs)


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# -- queries -----------------------------------------------------------------------------------


def make_queries(
    vocab: Sequence[str], seed: int = SEED, per_kind: int = 8
) -> list[tuple[str, str]]:
    """(kind, text) pairs: one and two words of various frequencies, and typing prefixes."""
    rng = random.Random(seed + 1)
    common, mid, rare = vocab[:25], vocab[50:400], vocab[1000:]

    def pick(pool: Sequence[str], k: int = 1) -> list[str]:
        return rng.sample(list(pool), k)

    queries: list[tuple[str, str]] = []
    for _ in range(per_kind):
        queries.append(('common', pick(common)[0]))
        queries.append(('mid', pick(mid)[0]))
        queries.append(('rare', pick(rare)[0]))
        queries.append(('common+common', ' '.join(pick(common, 2))))
        queries.append(('common+rare', f'{pick(common)[0]} {pick(rare)[0]}'))
        queries.append(('rare+rare', ' '.join(pick(rare, 2))))
        word = pick(common + mid)[0]
        queries.append(('prefix', word[: rng.randint(2, 4)]))
        first, second = pick(common + mid, 2)
        queries.append(('word+prefix', f'{first} {second[: rng.randint(2, 4)]}'))
    return queries


def make_typos(vocab: Sequence[str], seed: int = SEED, count: int = 24) -> list[tuple[str, str]]:
    """(word, typo) pairs: photo words of five letters or more with one letter dropped or two
    neighbours swapped, as typed in a hurry. Measured apart from the main queries: they find
    nothing, and what they cost is working out the "did you mean"."""
    rng = random.Random(seed + 2)
    words = [w for w in vocab[:400] if len(w) >= 5]
    out = []
    for word in rng.sample(words, count):
        i = rng.randrange(1, len(word) - 1)
        typo = (
            word[:i] + word[i + 1 :] if i % 2 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        )
        out.append((word, typo))
    return out


def measure_typos(
    library: Library, typos: Sequence[tuple[str, str]], viewer_id: int, runs: int = RUNS
) -> dict:
    """Latency of typo queries through Library.search, and how often the intended word comes
    back as the suggestion."""
    times, right = [], 0
    for word, typo in typos:
        runs_ms = []
        for _ in range(runs):
            started = time.perf_counter()
            page = library.search(viewer_id, typo, limit=LIMIT)
            runs_ms.append((time.perf_counter() - started) * 1000)
        times.append(statistics.median(runs_ms))
        right += page.suggestion == word
    return {
        'queries': len(typos),
        'p50_ms': percentile(times, 50),
        'p95_ms': percentile(times, 95),
        'suggested_the_word': right / len(typos),
    }


# -- SearchIndex -------------------------------------------------------------------------------


def build_index(index_dir: Path, docs: Sequence[IndexDoc]) -> tuple[SearchIndex, float | None]:
    """Open the index at index_dir if it already holds these docs, else rebuild it.
    Returns the index and the build time (None when reused)."""
    index = SearchIndex(index_dir)
    if index.open() and index.doc_count() == len(docs):
        return index, None
    started = time.perf_counter()
    index.rebuild(iter(docs))
    return index, time.perf_counter() - started


def build_library(data_dir: Path, docs: Sequence[IndexDoc]) -> tuple[Library, float | None]:
    """A Library whose database holds one image row per document.

    Rows are bulk-inserted (running 100,000 real files through Pillow would take an hour and
    measure ingest, not search); opening the Library then rebuilds the index from the database,
    exactly as after `shoebox reindex`. Returns the library and that build time (None if reused).
    """
    settings = Settings(data_dir=data_dir)
    reused = settings.db_path.exists()
    if not reused:
        library = Library(settings, start_worker=False)
        _insert_rows(library, docs)
        library.close()
        shutil.rmtree(settings.index_dir, ignore_errors=True)
    started = time.perf_counter()
    library = Library(settings)
    built = None if reused else time.perf_counter() - started
    return library, built


def _insert_rows(library: Library, docs: Sequence[IndexDoc]) -> None:
    tag_ids: dict[str, int] = {}
    for doc in docs:
        for tag in doc.tags:
            tag_ids.setdefault(tag, len(tag_ids) + 1)
    with library.engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {'id': i, 'username': f'owner{i}', 'display_name': f'Owner {i}',
                 'password_hash': '-', 'is_admin': i == 1, 'created_at': START}
                for i in range(1, OWNERS + 1)
            ],
        )  # fmt: skip
        conn.execute(insert(Tag), [{'id': i, 'name': n} for n, i in tag_ids.items()])
        for chunk in range(0, len(docs), 5000):
            part = docs[chunk : chunk + 5000]
            conn.execute(insert(Image), [_row(doc) for doc in part])
            conn.execute(
                insert(ImageTag),
                [{'image_id': d.image_id, 'tag_id': tag_ids[t]} for d in part for t in d.tags],
            )


def _row(doc: IndexDoc) -> dict:
    return {
        'id': doc.image_id,
        'owner_id': doc.owner_id,
        'title': doc.title,
        'description': doc.description,
        'filename': f'{doc.image_id}.jpg',
        'visibility': 'public' if doc.public else 'private',
        'allow_download': False,
        'sha256': f'{doc.image_id:0>64}'[-64:],
        'format': 'JPEG',
        'width': 4000,
        'height': 3000,
        'size_bytes': 3_000_000,
        'colors': '#336699',
        'dhash': 0,
        'created_at': doc.created_at.replace(tzinfo=UTC),
        'updated_at': doc.created_at.replace(tzinfo=UTC),
        'sort_at': doc.created_at,  # the timeline: no EXIF date, so the upload time (naive UTC)
    }


def measure_library(
    library: Library, queries: Sequence[tuple[str, str]], viewer_id: int, runs: int = RUNS
) -> list[dict]:
    """Time each query through Library.search: index, permission filter, rows and tags."""

    def search(text: str) -> int:
        return library.search(viewer_id, text, limit=LIMIT).total

    return _measure(search, queries, runs)


def measure_index(
    index: SearchIndex,
    queries: Sequence[tuple[str, str]],
    viewer_id: int,
    runs: int = RUNS,
) -> list[dict]:
    """Time each query `runs` times through SearchIndex.search; one row per query."""

    def search(text: str) -> int:
        return index.search(text, viewer_id=viewer_id, limit=LIMIT).total

    return _measure(search, queries, runs)


def measure_apply(index: SearchIndex, docs: Sequence[IndexDoc], runs: int = 9) -> float:
    """Median time of one single-image apply() (commit plus new searcher), as the worker does
    for a lone upload. Re-sends existing documents, so the content stays the same."""
    times = []
    for i in range(runs):
        started = time.perf_counter()
        index.apply([docs[i * 97 % len(docs)]], [])
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# -- SQLite FTS5 reference ---------------------------------------------------------------------


def build_fts5(docs: Sequence[IndexDoc]) -> sqlite3.Connection:
    conn = sqlite3.connect(':memory:')
    conn.executescript(
        """
        CREATE TABLE images (id INTEGER PRIMARY KEY, image_id TEXT, owner_id INTEGER,
                             public INTEGER, created INTEGER);
        CREATE VIRTUAL TABLE fts USING fts5(title, description, tags,
                                            tokenize='porter unicode61', prefix='2 3');
        """
    )
    conn.executemany(
        'INSERT INTO images VALUES (?, ?, ?, ?, ?)',
        (
            (i + 1, d.image_id, d.owner_id, int(d.public), int(d.created_at.timestamp()))
            for i, d in enumerate(docs)
        ),
    )
    conn.executemany(
        'INSERT INTO fts (rowid, title, description, tags) VALUES (?, ?, ?, ?)',
        ((i + 1, d.title, d.description, ' '.join(d.tags)) for i, d in enumerate(docs)),
    )
    conn.executescript(
        """
        CREATE INDEX images_public ON images (public);
        CREATE INDEX images_owner ON images (owner_id);
        INSERT INTO fts (fts) VALUES ('optimize');
        ANALYZE;
        """
    )
    conn.commit()
    return conn


FTS5_PAGE = """
    SELECT i.image_id FROM fts JOIN images i ON i.id = fts.rowid
    WHERE fts MATCH :q AND (i.public = 1 OR i.owner_id = :viewer)
    ORDER BY bm25(fts, 3.0, 1.0, 2.0) LIMIT :limit
"""
FTS5_COUNT = """
    SELECT count(*) FROM fts JOIN images i ON i.id = fts.rowid
    WHERE fts MATCH :q AND (i.public = 1 OR i.owner_id = :viewer)
"""


def fts5_match(text: str) -> str:
    """Any of the words, the last one also as a prefix (like SearchIndex)."""
    words = [w for w in ''.join(c if c.isalnum() else ' ' for c in text.lower()).split()]
    if not words:
        return '""'
    parts = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return ' OR '.join(parts)


def measure_fts5(
    conn: sqlite3.Connection, queries: Sequence[tuple[str, str]], viewer_id: int, runs: int = RUNS
) -> list[dict]:
    def search(text: str) -> int:
        params = {'q': fts5_match(text), 'viewer': viewer_id, 'limit': LIMIT}
        conn.execute(FTS5_PAGE, params).fetchall()
        return conn.execute(FTS5_COUNT, params).fetchone()[0]

    return _measure(search, queries, runs)


# -- measuring and reporting -------------------------------------------------------------------


def _measure(
    search: Callable[[str], int], queries: Sequence[tuple[str, str]], runs: int
) -> list[dict]:
    rows = []
    for kind, text in queries:
        times = []
        total = 0
        for _ in range(runs):
            started = time.perf_counter()
            total = search(text)
            times.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                'kind': kind,
                'query': text,
                'total': total,
                'first_ms': times[0],
                'median_ms': statistics.median(times),
            }
        )
    return rows


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(rows: Sequence[dict], key: str = 'median_ms') -> dict[str, float]:
    values = [r[key] for r in rows]
    return {'p50_ms': percentile(values, 50), 'p95_ms': percentile(values, 95)}


def by_kind(rows: Sequence[dict]) -> dict[str, dict[str, float]]:
    kinds = dict.fromkeys(r['kind'] for r in rows)
    out = {}
    for kind in kinds:
        sub = [r for r in rows if r['kind'] == kind]
        out[kind] = {
            **summarize(sub),
            'max_ms': max(r['median_ms'] for r in sub),
            'avg_total': round(statistics.mean(r['total'] for r in sub)),
        }
    return out


def _round(obj: object) -> object:
    if isinstance(obj, float):
        return round(obj, 2)
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj


def run(args: argparse.Namespace) -> dict:
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    started = time.perf_counter()
    corpus = make_corpus(args.docs)
    queries = make_queries(corpus.vocab)
    log(f'generated {len(corpus.docs):,} documents in {time.perf_counter() - started:.1f} s')

    tmp = None
    if args.keep:
        data_dir = Path(args.keep)
    else:
        tmp = Path(tempfile.mkdtemp(prefix='shoebox-bench-'))
        data_dir = tmp / 'data'
    try:
        library, build_s = build_library(data_dir, corpus.docs)
        log('library and index: ' + (f'index built in {build_s:.1f} s' if build_s else 'reused'))
        index_dir = library.settings.index_dir
        size_mb = sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file()) / 1e6
        library.search(VIEWER_ID, 'warm up', limit=LIMIT)
        rows = measure_library(library, queries, VIEWER_ID, args.runs)
        index_rows = measure_index(library.index, queries, VIEWER_ID, args.runs)
        typos = measure_typos(library, make_typos(corpus.vocab), VIEWER_ID, args.runs)
        apply_ms = measure_apply(library.index, corpus.docs)
        library.close()
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    started = time.perf_counter()
    conn = build_fts5(corpus.docs)
    fts_build_s = time.perf_counter() - started
    log(f'fts5 index: built in {fts_build_s:.1f} s')
    fts_rows = measure_fts5(conn, queries, VIEWER_ID, args.runs)
    conn.close()

    whoosh, fts, bare = summarize(rows), summarize(fts_rows), summarize(index_rows)
    return _round(
        {
            'docs': len(corpus.docs),
            'p50_ms': whoosh['p50_ms'],
            'p95_ms': whoosh['p95_ms'],
            'fts5_p50_ms': fts['p50_ms'],
            'fts5_p95_ms': fts['p95_ms'],
            'index_only_p50_ms': bare['p50_ms'],
            'index_only_p95_ms': bare['p95_ms'],
            'first_run_p95_ms': summarize(rows, 'first_ms')['p95_ms'],
            'max_ms': max(r['median_ms'] for r in rows),
            'queries': len(rows),
            'runs_per_query': args.runs,
            'limit': LIMIT,
            'index_build_s': build_s,
            'apply_one_ms': apply_ms,
            'index_size_mb': size_mb,
            'fts5_build_s': fts_build_s,
            'typos': typos,
            'by_kind': by_kind(rows),
            'fts5_by_kind': by_kind(fts_rows),
            'slowest': sorted(
                ({'query': r['query'], 'ms': r['median_ms'], 'total': r['total']} for r in rows),
                key=lambda r: -r['ms'],
            )[:5],
        }
    )


def report(result: dict) -> None:
    print(
        f'\n{result["docs"]:,} documents, {result["queries"]} queries x {result["runs_per_query"]} '
        f'runs, limit {result["limit"]}, logged-in viewer, total count included'
    )
    if result['index_build_s'] is not None:
        print(
            f'Whoosh build {result["index_build_s"]:.1f} s ({result["index_size_mb"]:.0f} MB), '
            f'FTS5 build {result["fts5_build_s"]:.1f} s'
        )
    print(
        f'\n{"kind":<15}{"whoosh p50":>12}{"p95":>9}{"max":>9}{"fts5 p50":>11}{"p95":>9}{"hits":>9}'
    )
    for kind, w in result['by_kind'].items():
        f = result['fts5_by_kind'][kind]
        print(
            f'{kind:<15}{w["p50_ms"]:>12.1f}{w["p95_ms"]:>9.1f}{w["max_ms"]:>9.1f}'
            f'{f["p50_ms"]:>11.1f}{f["p95_ms"]:>9.1f}{w["avg_total"]:>9,}'
        )
    print(
        f'{"all":<15}{result["p50_ms"]:>12.1f}{result["p95_ms"]:>9.1f}{result["max_ms"]:>9.1f}'
        f'{result["fts5_p50_ms"]:>11.1f}{result["fts5_p95_ms"]:>9.1f}'
    )
    print(f'\nfirst-run p95 (cold per-query caches): {result["first_run_p95_ms"]:.1f} ms')
    t = result['typos']
    print(
        f'{t["queries"]} typo queries (apart from the above): p50 {t["p50_ms"]:.1f} ms, p95 '
        f'{t["p95_ms"]:.1f} ms; "did you mean" gave the intended word for '
        f'{t["suggested_the_word"]:.0%}'
    )
    print(f'apply() of one image (commit + new searcher): {result["apply_one_ms"]:.1f} ms')
    print('slowest:', ', '.join(f'{s["query"]!r} {s["ms"]:.1f} ms' for s in result['slowest']))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--docs', type=int, default=100_000, help='number of documents')
    parser.add_argument('--runs', type=int, default=RUNS, help='runs per query (median taken)')
    parser.add_argument('--keep', metavar='DIR', help='build the index here and reuse it')
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    args = parser.parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        report(result)


if __name__ == '__main__':
    main()
