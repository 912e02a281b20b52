"""Similar-image search: quality and speed of repo.similarity on generated images.

Quality. `--bases` distinct base images (default 240; half colourful abstracts, half landscape
scenes that deliberately look alike: sky, horizon, hills, a few objects), each saved as JPEG
q90 and turned into five variants made from the decoded base file:
    half    resized to half width and height (LANCZOS), JPEG q90
    jpeg40  re-encoded at JPEG quality 40
    crop    5% cut from EACH side (the central 90% x 90% is kept), JPEG q90
    bright  brightness +10% (ImageEnhance.Brightness(1.1)), JPEG q90
    png     converted to PNG
Every file goes through repo.imaging.process_image, as an upload does, and its signature into a
SimilarityIndex holding all bases and variants.
- recall_at_5: share of variant queries whose base is among their 5 nearest (itself excluded).
  The 4 sibling variants may fill the other places, so it fails only when an unrelated image
  ranks above the base.
- false_match_rate: share of pairs of unrelated bases within NEAR_DUPLICATE_DISTANCE.
- The same with `--distractors` (default 600) unrelated images added, and the same figures for
  the dHash alone (its usual 10-bit rule), to show what the colour layout adds.

Speed. The index is padded to `--index-size` (default 100,000) rows with random signatures,
1,000 owners and half of the rows public; `nearest(limit=20)` for a random viewer, p50/p95
over `--queries` variant queries. Also the start-up load and one owner's near-duplicate groups.

Usage: uv run python bench/similar.py [--json] [--bases N] [--distractors N] [--workers N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from repo.imaging import SIGNATURE_BYTES, ImageFacts, process_image
from repo.similarity import (
    NEAR_DUPLICATE_DISTANCE,
    Entry,
    SimilarityIndex,
    distance,
)

KINDS = ('half', 'jpeg40', 'crop', 'bright', 'png')
CROP = 0.05  # of the width/height, from each side
MAX_PIXELS = 100_000_000
SIZES = [(960, 640), (640, 960), (800, 800), (1120, 630), (720, 960), (960, 720)]
DHASH_NEAR_BITS = 10  # the classic dHash near-duplicate rule, for the comparison
SKIES = [(120, 170, 230), (90, 140, 210), (200, 210, 225), (250, 180, 120), (60, 80, 140)]
GROUNDS = [(70, 120, 50), (110, 140, 60), (150, 120, 80), (210, 190, 140), (60, 90, 120)]

Signal = tuple[int, bytes]  # (dhash, signature)


# --- generated images -------------------------------------------------------------------------


def base_image(i: int, seed: str) -> Image.Image:
    """Deterministic photo-like image number i: even i abstract, odd i a landscape scene."""
    rng = random.Random(f'{seed}:{i}')
    size = rng.choice(SIZES)
    im = _abstract(rng, size) if i % 2 == 0 else _scene(rng, size)
    return _grain(im, rng)


def _rgb(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(256), rng.randrange(256), rng.randrange(256)


def _jitter(rng: random.Random, rgb: tuple[int, ...], spread: int) -> tuple[int, int, int]:
    r, g, b = (max(0, min(255, v + rng.randint(-spread, spread))) for v in rgb)
    return r, g, b


def _abstract(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A linear or radial colour wash under soft ellipses, rectangles and polygons."""
    w, h = size
    if rng.random() < 0.5:
        grad = Image.linear_gradient('L').resize((512, 512))
        bands = [grad.rotate(rng.uniform(0, 360)).crop((128, 128, 384, 384)) for _ in 'RGB']
        im = Image.merge('RGB', [band.resize(size) for band in bands])
    else:
        mask = Image.radial_gradient('L').resize(size)
        im = Image.composite(
            Image.new('RGB', size, _rgb(rng)), Image.new('RGB', size, _rgb(rng)), mask
        )
    im = Image.blend(im, Image.new('RGB', size, _rgb(rng)), rng.uniform(0.2, 0.6))
    shapes, mask = Image.new('RGB', size), Image.new('L', size)
    draw, mdraw = ImageDraw.Draw(shapes), ImageDraw.Draw(mask)
    for _ in range(rng.randint(4, 14)):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        box = (x0, y0, x0 + rng.randint(w // 20, w // 2), y0 + rng.randint(h // 20, h // 2))
        fill, alpha, pick = _rgb(rng), rng.randint(150, 255), rng.random()
        if pick < 0.45:
            draw.ellipse(box, fill=fill)
            mdraw.ellipse(box, fill=alpha)
        elif pick < 0.8:
            draw.rectangle(box, fill=fill)
            mdraw.rectangle(box, fill=alpha)
        else:
            points = [(rng.randrange(w), rng.randrange(h)) for _ in range(rng.randint(3, 6))]
            draw.polygon(points, fill=fill)
            mdraw.polygon(points, fill=alpha)
    im.paste(shapes, (0, 0), mask.filter(ImageFilter.BoxBlur(max(2, w // 400))))
    return im


def _scene(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Sky over a horizon with hills and a few objects: many of these look alike on purpose."""
    w, h = size
    horizon = int(h * rng.uniform(0.3, 0.7))
    sky = _vertical(
        (w, horizon), _jitter(rng, rng.choice(SKIES), 25), _jitter(rng, (230, 230, 235), 20)
    )
    ground_top = _jitter(rng, rng.choice(GROUNDS), 25)
    ground = _vertical((w, h - horizon), ground_top, _jitter(rng, ground_top, 30))
    im = Image.new('RGB', size)
    im.paste(sky, (0, 0))
    im.paste(ground, (0, horizon))
    draw = ImageDraw.Draw(im)
    step = w // 6
    hills = [(x, horizon - rng.randint(0, h // 6)) for x in range(0, w + step, step)]
    draw.polygon([(0, horizon), *hills, (w, horizon)], fill=_jitter(rng, ground_top, 20))
    for _ in range(rng.randint(1, 6)):
        x0, y0 = rng.randrange(w), rng.randint(horizon - h // 5, h)
        bw, bh = rng.randint(w // 30, w // 6), rng.randint(h // 20, h // 3)
        colour = _jitter(rng, rng.choice([*GROUNDS, (40, 40, 40), (180, 60, 50)]), 30)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x0, y0 - bh, x0 + bw, y0), fill=colour)
    if rng.random() < 0.4:
        r = rng.randint(w // 40, w // 12)
        cx, cy = rng.randrange(w), rng.randrange(max(1, horizon - r))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 240, 200))
    return im.filter(ImageFilter.GaussianBlur(rng.uniform(1, 4)))


def _vertical(size: tuple[int, int], top: tuple[int, ...], bottom: tuple[int, ...]) -> Image.Image:
    mask = Image.linear_gradient('L').resize(size)
    return Image.composite(Image.new('RGB', size, bottom), Image.new('RGB', size, top), mask)


def _grain(im: Image.Image, rng: random.Random) -> Image.Image:
    """Coarse blotches plus fine grain, the same on every channel (texture, sensor noise)."""
    w, h = im.size
    coarse = _noise((w // 16, h // 16), rng, rng.randint(5, 40)).resize(im.size, Image.BICUBIC)
    grain = ImageChops.add(coarse, _noise(im.size, rng, rng.randint(3, 16)), 1.0, -128)
    return ImageChops.add(im, Image.merge('RGB', [grain] * 3), 1.0, -128)


def _noise(size: tuple[int, int], rng: random.Random, amplitude: int) -> Image.Image:
    raw = Image.frombytes('L', size, rng.randbytes(size[0] * size[1]))
    return raw.point([128 + (v - 128) * amplitude // 128 for v in range(256)])


def variants(base: Image.Image) -> Iterator[tuple[str, Image.Image, str, dict]]:
    w, h = base.size
    dx, dy = round(w * CROP), round(h * CROP)
    yield 'half', base.resize((w // 2, h // 2), Image.Resampling.LANCZOS), 'JPEG', {'quality': 90}
    yield 'jpeg40', base, 'JPEG', {'quality': 40}
    yield 'crop', base.crop((dx, dy, w - dx, h - dy)), 'JPEG', {'quality': 90}
    yield 'bright', ImageEnhance.Brightness(base).enhance(1.1), 'JPEG', {'quality': 90}
    yield 'png', base, 'PNG', {'compress_level': 1}


# --- signatures through the real pipeline -------------------------------------------------------


def _signal(path: Path) -> Signal:
    facts = process_image(str(path), None, None, max_pixels=MAX_PIXELS)
    assert isinstance(facts, ImageFacts), facts
    assert len(facts.signature) == SIGNATURE_BYTES
    return facts.dhash, facts.signature


def signals_for_base(i: int) -> dict[str, Signal]:
    """The base and its variants, each written to a file and processed as an upload."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / 'base.jpg'
        base_image(i, 'base').save(path, 'JPEG', quality=90)
        out = {'base': _signal(path)}
        with Image.open(path) as decoded:
            base = decoded.convert('RGB')
        for kind, im, fmt, params in variants(base):
            vpath = Path(tmp) / f'{kind}.{fmt.lower()}'
            im.save(vpath, fmt, **params)
            out[kind] = _signal(vpath)
        return out


def signal_for_distractor(i: int) -> Signal:
    buf = io.BytesIO()
    base_image(i, 'distractor').save(buf, 'JPEG', quality=90)
    with tempfile.NamedTemporaryFile(suffix='.jpg') as fh:
        fh.write(buf.getvalue())
        fh.flush()
        return _signal(Path(fh.name))


# --- measurements --------------------------------------------------------------------------------


def recall_by_kind(index: SimilarityIndex, sets: list[dict[str, Signal]], dhash_only: bool):
    found = {kind: 0 for kind in KINDS}
    for i, signals in enumerate(sets):
        for kind in KINDS:
            dh, sig = signals[kind]
            top = index.nearest(
                dh, b'' if dhash_only else sig, viewer_id=None, limit=5, exclude=f'{i}:{kind}'
            )
            found[kind] += f'{i}:base' in {key for key, _ in top}
    return {kind: round(hits / len(sets), 4) for kind, hits in found.items()}


def unrelated_pairs(signals: list[Signal], dhash_only: bool) -> tuple[float, float]:
    """(share of pairs within the near-duplicate rule, closest distance) over distinct images."""
    index = SimilarityIndex()
    index.load(Entry(str(i), 1, True, dh, sig) for i, (dh, sig) in enumerate(signals))
    near, closest = 0, float('inf')
    for i, (dh, sig) in enumerate(signals):
        ranked = index.nearest(dh, b'' if dhash_only else sig, viewer_id=None, limit=len(signals))
        others = [(int(key), d) for key, d in ranked if int(key) > i]
        if dhash_only:  # back from the index's scaled fallback to plain bits
            others = [(j, hamming_bits(dh, signals[j][0])) for j, _ in others]
        near += sum(
            d <= (DHASH_NEAR_BITS if dhash_only else NEAR_DUPLICATE_DISTANCE) for _, d in others
        )
        closest = min([closest, *(d for _, d in others)])
    pairs = len(signals) * (len(signals) - 1) // 2
    return near / pairs, closest


def hamming_bits(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def quality(sets: list[dict[str, Signal]], distractors: list[Signal]) -> dict:
    index = SimilarityIndex()
    index.load(
        Entry(f'{i}:{kind}', 1, True, *signal)
        for i, s in enumerate(sets)
        for kind, signal in s.items()
    )
    crowded = SimilarityIndex()
    crowded.load(
        [
            Entry(f'{i}:{kind}', 1, True, *signal)
            for i, s in enumerate(sets)
            for kind, signal in s.items()
        ]
        + [Entry(f'd{j}', 1, True, *signal) for j, signal in enumerate(distractors)]
    )
    recall = recall_by_kind(index, sets, dhash_only=False)
    crowded_recall = recall_by_kind(crowded, sets, dhash_only=False)
    bases = [s['base'] for s in sets]
    false_rate, closest = unrelated_pairs(bases, dhash_only=False)
    false_rate_all, closest_all = unrelated_pairs(bases + distractors, dhash_only=False)
    to_base = {kind: [distance(*s[kind], *s['base']) for s in sets] for kind in KINDS}
    bits_to_base = {kind: [hamming_bits(s[kind][0], s['base'][0]) for s in sets] for kind in KINDS}
    d_false, d_closest = unrelated_pairs(bases + distractors, dhash_only=True)
    return {
        'recall_at_5': round(statistics.mean(recall.values()), 4),
        'false_match_rate': round(false_rate, 6),
        'recall_at_5_by_kind': recall,
        'recall_at_5_with_distractors': round(statistics.mean(crowded_recall.values()), 4),
        'recall_at_5_with_distractors_by_kind': crowded_recall,
        'false_match_rate_with_distractors': round(false_rate_all, 6),
        'near_duplicate_distance': NEAR_DUPLICATE_DISTANCE,
        'closest_unrelated_distance': round(min(closest, closest_all), 2),
        'within_near_duplicate_by_kind': {
            kind: round(statistics.fmean(d <= NEAR_DUPLICATE_DISTANCE for d in ds), 4)
            for kind, ds in to_base.items()
        },
        'distance_to_base_p95_max_by_kind': {
            kind: [round(float(np.percentile(ds, 95)), 2), round(max(ds), 2)]
            for kind, ds in to_base.items()
        },
        'dhash_only': {
            'recall_at_5_by_kind': recall_by_kind(index, sets, dhash_only=True),
            'recall_at_5_with_distractors_by_kind': recall_by_kind(crowded, sets, dhash_only=True),
            'false_match_rate_with_distractors': round(d_false, 6),
            'closest_unrelated_bits': d_closest,
            'within_10_bits_by_kind': {
                kind: round(statistics.fmean(b <= DHASH_NEAR_BITS for b in bs), 4)
                for kind, bs in bits_to_base.items()
            },
        },
    }


def speed(
    sets: list[dict[str, Signal]], distractors: list[Signal], size: int, queries: int
) -> dict:
    rng = random.Random(5)
    owners = 1000
    real = [signal for s in sets for signal in s.values()] + distractors
    rows = [
        Entry(f'r{j}', rng.randrange(owners), rng.random() < 0.5, dh, sig)
        for j, (dh, sig) in enumerate(real)
    ]
    filler = size - len(rows)
    gen = np.random.default_rng(5)
    hashes = gen.integers(0, 1 << 63, filler, dtype=np.int64) * gen.choice([-1, 1], filler)
    blobs = gen.integers(0, 256, (filler, SIGNATURE_BYTES), dtype=np.uint8)
    heavy = 0  # one owner with ~2% of the library, for the duplicates timing
    rows += [
        Entry(
            f'f{j}',
            heavy if j % 50 == 0 else rng.randrange(1, owners),
            rng.random() < 0.5,
            int(hashes[j]),
            blobs[j].tobytes(),
        )
        for j in range(filler)
    ]
    index = SimilarityIndex()
    started = time.perf_counter()
    index.load(rows)
    load_s = time.perf_counter() - started
    times = []
    for q in range(queries):
        dh, sig = real[rng.randrange(len(real))]
        viewer = rng.randrange(owners) if q % 10 else None
        started = time.perf_counter()
        index.nearest(dh, sig, viewer_id=viewer, limit=20)
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    groups = index.near_duplicate_groups(heavy)
    groups_ms = (time.perf_counter() - started) * 1000
    times.sort()
    return {
        'p50_ms': round(times[len(times) // 2], 2),
        'p95_ms': round(times[int(len(times) * 0.95)], 2),
        'max_ms': round(times[-1], 2),
        'index_size': len(index),
        'queries': queries,
        'load_s': round(load_s, 2),
        'groups_ms': round(groups_ms, 1),
        'groups_owner_images': sum(1 for r in rows if r.owner_id == heavy),
        'groups_found': len(groups),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    parser.add_argument('--bases', type=int, default=240)
    parser.add_argument('--distractors', type=int, default=600)
    parser.add_argument('--index-size', type=int, default=100_000)
    parser.add_argument('--queries', type=int, default=500)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        sets = list(pool.map(signals_for_base, range(args.bases), chunksize=4))
        distractors = list(pool.map(signal_for_distractor, range(args.distractors), chunksize=8))
    made_s = time.perf_counter() - started
    result = {
        **quality(sets, distractors),
        **speed(sets, distractors, args.index_size, args.queries),
        'bases': args.bases,
        'variants': args.bases * len(KINDS),
        'distractors': args.distractors,
        'crop': f'{CROP:.0%} from each side',
        'generate_and_process_s': round(made_s, 1),
    }
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f'{key:40} {value}')


if __name__ == '__main__':
    main()
