"""Export benchmark: the memory an export holds while streaming, beside the size of what it
streams (what an export built in memory would hold).

    uv run python bench/export.py [--images 2000] [--size 512x384] [--json]

Fills a fresh temporary library with N incompressible JPEGs (one account), then streams
`ExportService.stream()` to nothing, recording the Python heap's peak (tracemalloc) and the
process's RSS growth. Flat means the peak stays near one chunk (1 MiB) plus one batch of rows,
whatever N is: compare runs with --images 200 and --images 2000.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def jpeg(seed: int, size: tuple[int, int]) -> bytes:
    from PIL import Image

    rnd = random.Random(seed)
    im = Image.frombytes('RGB', size, rnd.randbytes(size[0] * size[1] * 3))
    buf = io.BytesIO()
    im.save(buf, 'JPEG', quality=90)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--images', type=int, default=2000)
    parser.add_argument('--size', default='512x384')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split('x'))

    from repo.config import Settings
    from repo.core.actor import SYSTEM, Actor
    from repo.core.uploads import UploadItem
    from repo.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Settings(data_dir=Path(tmp) / 'data'))
        try:
            owner = library.create_user('bench', 'correct horse battery staple bench')
            items = (
                UploadItem(filename=f'img{n}.jpg', data=jpeg(n, size))  # type: ignore[arg-type]
                for n in range(args.images)
            )
            started = time.perf_counter()
            library.add_many(owner.id, items)
            fill_s = time.perf_counter() - started
            info = library.services.export.info(Actor.of(owner))
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            started = time.perf_counter()
            zip_bytes = 0
            for chunk in library.services.export.stream(Actor.of(owner)):
                zip_bytes += len(chunk)
            export_s = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
            library.services.maintenance.wait_for_index(SYSTEM)
        finally:
            library.close()
    figures = {
        'images': info.images,
        'original_mb': round(info.original_bytes / 1e6, 1),
        'zip_mb': round(zip_bytes / 1e6, 1),
        'peak_heap_mb': round(peak / 1e6, 2),
        'peak_heap_per_original': round(peak / max(info.original_bytes, 1), 4),
        'rss_growth_mb': round(rss_growth_kb / 1e3, 1),
        'export_s': round(export_s, 2),
        'export_mb_per_s': round(zip_bytes / 1e6 / max(export_s, 1e-9), 1),
        'fill_s': round(fill_s, 1),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f'{key:>24}: {value}')


if __name__ == '__main__':
    main()
