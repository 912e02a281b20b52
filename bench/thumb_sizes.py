"""What thumbnails by their short side cost: bytes and time per upload (thumbnail only, as at
ingest) for the 400 px box of before, the rule Shoebox uses (the box, grown so that the short
side is at least 200 px), and the full rule (short side 400), on the bench corpus plus three
panoramas.

    uv run python bench/thumb_sizes.py [N]      # N corpus images (default 12), a few seconds

The box of before is the pipeline with preview_size = thumb_size (thumb_box() cannot grow
past it); the full rule sets pipeline.THUMB_MIN_SHORT to 1 for the run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from bench.corpus import make_corpus  # noqa: E402
from repo.imaging import pipeline, process_image  # noqa: E402

MAX_PIXELS = 120_000_000


def panoramas(folder: Path, n: int) -> list[Path]:
    out = []
    for i, size in enumerate([(6000, 1500), (4800, 1600), (8000, 2000)][:n]):
        src = sorted(folder.glob('*.jpg'))[i]
        with Image.open(src) as im:
            path = folder / f'pano-{i}.jpg'
            im.convert('RGB').resize(size).save(path, 'JPEG', quality=90)
        out.append(path)
    return out


def measure(paths: list[Path], limit: int, out: Path) -> tuple[list[int], list[float], list]:
    sizes, times, dims = [], [], []
    for path in paths:
        thumb = out / 'thumb.webp'
        start = time.perf_counter()
        process_image(
            str(path), str(thumb), None, max_pixels=MAX_PIXELS, thumb_size=400, preview_size=limit
        )
        times.append((time.perf_counter() - start) * 1000)
        sizes.append(thumb.stat().st_size)
        with Image.open(thumb) as im:
            dims.append(im.size)
    return sizes, times, dims


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photos = make_corpus(folder / 'corpus', n=n)
        panos = panoramas(folder / 'corpus', 3)
        for label, paths in (('photos', photos), ('panoramas', panos)):
            for name, limit, share in (
                ('box 400 (before)', 400, 0.5),
                ('short side >= 200', 1600, 0.5),
                ('short side 400', 1600, 1.0),
            ):
                pipeline.THUMB_MIN_SHORT = share
                sizes, times, dims = measure(paths, limit, folder)
                print(
                    f'{label:9} {name:17} median {statistics.median(sizes) / 1000:6.1f} KB, '
                    f'{statistics.median(times):6.1f} ms per upload; e.g. {dims[0]}'
                )


if __name__ == '__main__':
    main()
