"""Gallery benchmark: a library of 10,000 images served by the real app (main.py, over HTTP).

    uv run python bench/gallery.py                    # 10,000 images, human-readable
    uv run python bench/gallery.py --json             # one JSON object on stdout
    uv run python bench/gallery.py --images 2000 --real 50 --seconds 3   # a quick run
    uv run python bench/gallery.py --keep bench/out/gallery   # reuse the built library next time

Building the library: --real images (default 200, photo-like 2-6 MP JPEGs and PNGs from
bench/corpus.py) go through Library.add_many, so their thumbnails are real ~400 px WebPs. The
rest are copies of those rows, inserted straight into the database (a bench may do that; the
app never does): same bytes (sha256, so the same blob and thumbnail files), new ids, titles,
tags and upload times, spread over extra owners because an owner holds one copy of a file at
most. Everything is public, so an anonymous visitor sees all of it. Then the search index is
rebuilt from the database, as `shoebox reindex` does.

Measured against `python main.py` on a free port (a separate process, as in production):
- page_ms: median time of GET / (the gallery, anonymous: newest 60 of all images, with the
  count and the tag chips), which builds the 60 thumbnail tiles on the server before answering;
  the response is checked to hold 60 tiles. Also page_ms_search (GET /?q=<common word>).
- thumbs_per_s: thumbnail responses per second from 8 concurrent HTTP clients, browsing like a
  browser that scrolls down and back up: each client first GETs its thumbnails (200 with the
  bytes), then revisits them with If-None-Match (304 without a body). Both passes count;
  thumbs_per_s_200 and thumbs_per_s_304 give each pass alone. Every 304 is checked.
  static_per_s_baseline: the same clients fetching a small static file of NiceGUI's, through
  the same middleware: the ceiling the web stack allows on this machine at that moment.
Targets (issue 3): page_ms < 300, thumbs_per_s >= 500.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import nicegui  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from bench.corpus import make_corpus  # noqa: E402
from repo.config import Settings  # noqa: E402
from repo.core.uploads import UploadItem  # noqa: E402
from repo.db.tables import Image, ImageTag, Tag, new_image_id, utcnow  # noqa: E402
from repo.library import Library  # noqa: E402

OUT = ROOT / 'bench' / 'out'
SEED = 20261121
WORDS = [
    'sunset',
    'beach',
    'mountain',
    'forest',
    'city',
    'night',
    'river',
    'harbour',
    'garden',
    'snow',
    'lake',
    'bridge',
    'market',
    'street',
    'portrait',
    'family',
    'dog',
    'cat',
    'bird',
    'flower',
    'autumn',
    'spring',
    'summer',
    'winter',
    'storm',
    'fog',
    'desert',
    'island',
    'castle',
    'tower',
    'train',
    'bicycle',
    'boat',
    'coffee',
    'kitchen',
    'window',
    'door',
    'stairs',
    'rooftop',
    'festival',
]
PAGE_RUNS = 15
THUMB_IDS_PER_CLIENT = 150


# ---- building the library -----------------------------------------------------------------


def build_library(data_dir: Path, total: int, real: int, workers: int) -> dict[str, float]:
    """Fill data_dir with `total` public images; returns how long each step took."""
    rng = random.Random(SEED)
    settings = Settings(data_dir=data_dir, workers=workers)
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    timings: dict[str, float] = {}
    with Library(settings, password_hasher=cheap) as library:
        owner = library.create_user('bench', 'bench password that is long enough')
        files = make_corpus(OUT / 'corpus', n=real)
        items = [
            UploadItem(
                filename=path.name,
                path=path,
                title=' '.join(rng.sample(WORDS, 3)).capitalize(),
                tags=rng.sample(WORDS, rng.randint(1, 3)),
                visibility='public',
            )
            for path in files
        ]
        start = time.perf_counter()
        results = library.add_many(owner.id, items)
        timings['add_real_s'] = time.perf_counter() - start
        failed = [r for r in results if r.status != 'added']
        if failed:
            raise SystemExit(f'{len(failed)} corpus files were not added: {failed[0]}')
        start = time.perf_counter()
        copies = total - real
        owners = max(1, -(-copies // real))  # one copy of each file per extra owner
        owner_ids = [
            library.create_user(f'bench{n:03d}', 'bench password that is long enough').id
            for n in range(owners)
        ]
        clone_rows(library, owner.id, owner_ids, copies, rng)
        timings['insert_copies_s'] = time.perf_counter() - start
        start = time.perf_counter()
        library.reindex()
        timings['reindex_s'] = time.perf_counter() - start
    return timings


def clone_rows(
    library: Library, source_owner: int, owner_ids: list[int], copies: int, rng: random.Random
) -> None:
    """Insert `copies` image rows reusing the source owner's files (bench only: raw SQL)."""
    with Session(library.engine) as s:
        sources = list(s.exec(select(Image).where(Image.owner_id == source_owner)))
        tag_ids = {t.name: t.id for t in s.exec(select(Tag))}
        for word in WORDS:
            if word not in tag_ids:
                tag = Tag(name=word)
                s.add(tag)
                s.flush()
                tag_ids[word] = tag.id
        now = utcnow()
        images, links = [], []
        for n in range(copies):
            src = sources[n % len(sources)]
            image_id = new_image_id()
            row = src.model_dump()
            created = now - timedelta(seconds=copies - n + rng.random())
            row.update(
                id=image_id,
                owner_id=owner_ids[n // len(sources)],
                title=' '.join(rng.sample(WORDS, 3)).capitalize(),
                created_at=created,
                updated_at=now,
                sort_at=created.replace(tzinfo=None),  # no EXIF date: the upload time
            )
            images.append(row)
            links.extend(
                {'image_id': image_id, 'tag_id': tag_ids[w]}
                for w in rng.sample(WORDS, rng.randint(1, 3))
            )
        s.commit()
    with library.engine.begin() as conn:
        conn.execute(insert(Image), images)
        conn.execute(insert(ImageTag), links)


# ---- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, 'SHOEBOX_DATA_DIR': str(data_dir), 'SHOEBOX_PORT': str(port)}
    with open(log, 'wb') as out:
        process = subprocess.Popen(
            [sys.executable, 'main.py'], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f'http://127.0.0.1:{port}/', timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f'The server did not start:\n{log.read_text(errors="replace")[-3000:]}')


# ---- measuring -----------------------------------------------------------------------------


def time_page(client: httpx.Client, path: str, runs: int) -> tuple[float, int, int]:
    """Median ms of GET path; also the tiles in the page and its size in bytes."""
    client.get(path)  # warm-up
    times, tiles, size = [], 0, 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        tiles = len(re.findall(r'class=\\?"sb-tile\\?"', response.text))
        size = len(response.content)
    return statistics.median(times), tiles, size


@dataclass
class Pass:
    responses: int = 0
    seconds: float = 0.0
    bytes: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def per_s(self) -> float:
        return self.responses / self.seconds if self.seconds else 0.0


async def thumbnails(
    base: str, ids: list[str], clients: int, *, baseline: bool = False
) -> tuple[Pass, Pass]:
    """Each client GETs its share of thumbnails, then revisits them with If-None-Match.

    With baseline, the clients fetch a static file of NiceGUI's instead, as many times."""
    shares = [ids[i::clients] for i in range(clients)]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    sessions = [httpx.AsyncClient(base_url=base, limits=limits, timeout=30) for _ in shares]
    etags: list[dict[str, str]] = [{} for _ in shares]

    async def full(n: int, out: Pass) -> None:
        for image_id in shares[n]:
            r = await sessions[n].get(f'/api/v1/images/{image_id}/thumbnail')
            if r.status_code != 200 or 'etag' not in r.headers:
                out.wrong.append(f'{r.status_code} for {image_id}')
                continue
            etags[n][image_id] = r.headers['etag']
            out.responses += 1
            out.bytes += len(r.content)

    async def revisit(n: int, out: Pass) -> None:
        for image_id, etag in etags[n].items():
            r = await sessions[n].get(
                f'/api/v1/images/{image_id}/thumbnail', headers={'If-None-Match': etag}
            )
            if r.status_code != 304 or r.content:
                out.wrong.append(f'{r.status_code} on revalidating {image_id}')
                continue
            out.responses += 1

    try:
        if baseline:  # the same clients on a small static file: what the stack itself allows
            static = Pass()
            path = f'/_nicegui/{nicegui.__version__}/static/nicegui.css'

            async def fetch_static(n: int) -> None:
                for _ in shares[n]:
                    r = await sessions[n].get(path)
                    static.responses += r.status_code == 200

            start = time.perf_counter()
            await asyncio.gather(*(fetch_static(n) for n in range(len(shares))))
            static.seconds = time.perf_counter() - start
            return static, static
        first, second = Pass(), Pass()
        for run, out in ((full, first), (revisit, second)):
            start = time.perf_counter()
            await asyncio.gather(*(run(n, out) for n in range(len(shares))))
            out.seconds = time.perf_counter() - start
        return first, second
    finally:
        for session in sessions:
            await session.aclose()


def measure(data_dir: Path, clients: int, runs: int) -> dict[str, object]:
    port = free_port()
    base = f'http://127.0.0.1:{port}'
    log = data_dir.parent / 'gallery-server.log'
    process = start_server(data_dir, port, log)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            page_ms, tiles, page_bytes = time_page(client, '/', runs)
            search_ms, search_tiles, _ = time_page(client, '/?q=sunset', runs)
            ids: list[str] = []
            while len(ids) < clients * THUMB_IDS_PER_CLIENT:
                page = client.get('/api/v1/images', params={'limit': 200, 'offset': len(ids)})
                page.raise_for_status()
                items = page.json()['items']
                if not items:
                    break
                ids.extend(i['id'] for i in items)
            probe = client.get(f'/api/v1/images/{ids[0]}/thumbnail')
        first, second = asyncio.run(thumbnails(base, ids, clients))
        static, _ = asyncio.run(thumbnails(base, ids, clients, baseline=True))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    problems = first.wrong + second.wrong
    if tiles != 60:
        problems.append(f'the gallery page held {tiles} tiles, not 60')
    total = first.responses + second.responses
    return {
        'page_ms': round(page_ms, 1),
        'page_tiles': tiles,
        'page_kb': round(page_bytes / 1000, 1),
        'page_ms_search': round(search_ms, 1),
        'page_tiles_search': search_tiles,
        'thumbs_per_s': round(total / (first.seconds + second.seconds), 1),
        'thumbs_per_s_200': round(first.per_s, 1),
        'thumbs_per_s_304': round(second.per_s, 1),
        'static_per_s_baseline': round(static.per_s, 1),
        'thumb_kb_avg': round(first.bytes / max(first.responses, 1) / 1000, 1),
        'thumb_requests': total,
        'clients': clients,
        'thumb_headers': {
            k: probe.headers.get(k)
            for k in ('content-type', 'cache-control', 'etag', 'x-content-type-options')
        },
        'problems': problems[:10],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--images', type=int, default=10_000)
    parser.add_argument('--real', type=int, default=200, help='images added through Library')
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--runs', type=int, default=PAGE_RUNS, help='timed page loads')
    parser.add_argument('--workers', type=int, default=0, help='Pillow processes (0 = cores)')
    parser.add_argument('--keep', type=Path, help='build the library here once and reuse it')
    parser.add_argument('--json', action='store_true', help='print one JSON object only')
    args = parser.parse_args()
    if not 1 <= args.real <= args.images:
        parser.error('need 1 <= --real <= --images')

    scratch = None
    if args.keep:
        base = args.keep.resolve()
    else:
        scratch = Path(tempfile.mkdtemp(prefix='gallery-', dir=OUT if OUT.exists() else None))
        base = scratch
    data_dir = base / 'data'
    marker = base / 'built.json'
    try:
        if marker.exists() and json.loads(marker.read_text()).get('images') == args.images:
            build = json.loads(marker.read_text())
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            base.mkdir(parents=True, exist_ok=True)
            if not args.json:
                print(f'Building a library of {args.images:,} images ({args.real} real)...')
            build = {'images': args.images, 'real': args.real}
            build.update(
                {k: round(v, 1) for k, v in build_library(
                    data_dir, args.images, args.real, args.workers
                ).items()}
            )  # fmt: skip
            marker.write_text(json.dumps(build))
        result: dict[str, object] = {**build, **measure(data_dir, args.clients, args.runs)}
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    result['targets_met'] = {
        'page_ms < 300': result['page_ms'] < 300,  # type: ignore[operator]
        'thumbs_per_s >= 500': result['thumbs_per_s'] >= 500,  # type: ignore[operator]
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / 'gallery.json').write_text(json.dumps(result, indent=2))
    if args.json:
        print(json.dumps(result))
        return
    print(f'Library: {result["images"]:,} images ({result["real"]} added through the Library)')
    print(
        f'Gallery page (first 60 thumbnails): {result["page_ms"]} ms median over {args.runs} '
        f'loads, {result["page_tiles"]} tiles, {result["page_kb"]} KB'
    )
    print(f'Search page (?q=sunset):            {result["page_ms_search"]} ms')
    print(
        f'Thumbnails, {args.clients} clients:  {result["thumbs_per_s"]}/s overall '
        f'({result["thumbs_per_s_200"]}/s full 200s, {result["thumbs_per_s_304"]}/s 304s), '
        f'{result["thumb_kb_avg"]} KB each'
    )
    print(
        f'Baseline, same clients on a small static file: {result["static_per_s_baseline"]}/s '
        '(what the web stack allows on this machine right now)'
    )
    print(f'Headers: {result["thumb_headers"]}')
    if result['problems']:
        print(f'PROBLEMS: {result["problems"]}')
    print(json.dumps(result))


if __name__ == '__main__':
    main()
