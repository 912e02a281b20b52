"""Similar-image search: quality and speed of repo.similarity, on generated and real photos.

Quality. Two sets of originals, each saved as JPEG q90 and edited eleven ways from the decoded
file:
    generated  `--bases` images (default 240): half colourful abstracts, half landscape scenes
               that deliberately look alike (sky, horizon, hills, a few objects)
    real       the photographs that ship with scikit-image (`skimage.data`: astronaut, camera,
               coffee, coins, moon, rocket, textures such as brick, grass and gravel, ...)
and the edits (KINDS):
    half     resized to half width and height (LANCZOS)     grey     greyscale
    jpeg40   re-encoded at JPEG quality 40                  caption  a dark band with white
    crop     5% cut from EACH side                                   text over the bottom 15%
    bright   brightness +10%                                rot90, rot180, rot270  turned, no EXIF
    png      converted to PNG                               mirror   flipped left to right
Every file goes through repo.imaging.query_signature (the upload pipeline, plus the signals of
the picture in its seven other orientations). The index holds every original and `--distractors`
(default 600) further generated images; each edited copy is a query:
- recall_at_1 / recall_at_5 by kind and set: its original is the nearest / among the 5 nearest.
- within: share of copies within NEAR_DUPLICATE_DISTANCE ('Same picture') and SIMILAR_DISTANCE
  (what "More like this" and search by image show at most).
- false matches: share of pairs of unrelated originals (and distractors) within each threshold,
  and the percentiles of their distances, from which SIMILAR_DISTANCE is chosen.
All of it twice, in the same run: `one`, the query as it is (as before), and `eight`, the query
in all eight orientations with the smallest distance kept (what the Library does now).

Speed. The index is padded to `--index-size` (default 100,000) rows with random signatures,
1,000 owners and half of the rows public; `nearest(limit=20)` for a random viewer, p50/p95
over `--queries` copies, with one and with eight orientations. Also the start-up load and one
owner's near-duplicate groups.

Usage: uv run python bench/similar.py [--json] [--bases N] [--distractors N] [--workers N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from repo import imaging
from repo.imaging import SIGNATURE_BYTES, QueryFacts, query_signature
from repo.similarity import (
    NEAR_DUPLICATE_DISTANCE,
    SIMILAR_DISTANCE,
    TURN_PENALTY,
    Entry,
    SimilarityIndex,
    distance,
)

KINDS = (
    'half', 'jpeg40', 'crop', 'bright', 'png', 'grey', 'caption',
    'rot90', 'rot180', 'rot270', 'mirror',
)  # fmt: skip
# The photographs bundled with scikit-image (no download needed); synthetic ones (chessboard,
# colour wheel, logo, phantom, horse silhouette) are left out.
REAL = (
    'astronaut', 'brick', 'camera', 'cell', 'chelsea', 'clock', 'coffee', 'coins', 'grass',
    'gravel', 'hubble_deep_field', 'immunohistochemistry', 'microaneurysms', 'moon', 'page',
    'retina', 'rocket', 'text', 'motorcycle',
)  # fmt: skip
ORIENTATIONS = {'one': False, 'eight': True}
SWEEP = (16, 18, 20, 22, 24, 26)  # candidate thresholds: copies and unrelated pairs within each
CROP = 0.05  # of the width/height, from each side
MAX_PIXELS = 100_000_000
SIZES = [(960, 640), (640, 960), (800, 800), (1120, 630), (720, 960), (960, 720)]
DHASH_NEAR_BITS = 10  # the classic dHash near-duplicate rule, for the comparison
SKIES = [(120, 170, 230), (90, 140, 210), (200, 210, 225), (250, 180, 120), (60, 80, 140)]
GROUNDS = [(70, 120, 50), (110, 140, 60), (150, 120, 80), (210, 190, 140), (60, 90, 120)]

Signal = tuple[int, bytes]  # (dhash, signature), as stored
Query = tuple[int, bytes, tuple[Signal, ...]]  # and the seven other orientations


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


def real_photo(name: str) -> Image.Image:
    import skimage.data  # a dev dependency, only needed here

    if name == 'motorcycle':
        array = skimage.data.stereo_motorcycle()[0]  # the left view of a stereo pair
    else:
        array = getattr(skimage.data, name)()
    return Image.fromarray(array).convert('RGB')


def variants(base: Image.Image) -> Iterator[tuple[str, Image.Image, str, dict]]:
    w, h = base.size
    dx, dy = round(w * CROP), round(h * CROP)
    jpeg = {'quality': 90}
    yield 'half', base.resize((w // 2, h // 2), Image.Resampling.LANCZOS), 'JPEG', jpeg
    yield 'jpeg40', base, 'JPEG', {'quality': 40}
    yield 'crop', base.crop((dx, dy, w - dx, h - dy)), 'JPEG', jpeg
    yield 'bright', ImageEnhance.Brightness(base).enhance(1.1), 'JPEG', jpeg
    yield 'png', base, 'PNG', {'compress_level': 1}
    yield 'grey', base.convert('L'), 'JPEG', jpeg
    yield 'caption', captioned(base), 'JPEG', jpeg
    yield 'rot90', base.transpose(Image.Transpose.ROTATE_90), 'JPEG', jpeg
    yield 'rot180', base.transpose(Image.Transpose.ROTATE_180), 'JPEG', jpeg
    yield 'rot270', base.transpose(Image.Transpose.ROTATE_270), 'JPEG', jpeg
    yield 'mirror', base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 'JPEG', jpeg


def captioned(base: Image.Image) -> Image.Image:
    """A dark translucent band over the bottom 15% with a line of white text, as a messaging
    app or a meme maker adds."""
    im = base.convert('RGBA')
    w, h = im.size
    band = Image.new('RGBA', im.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(band)
    top = int(h * 0.85)
    draw.rectangle((0, top, w, h), fill=(0, 0, 0, 150))
    font = ImageFont.load_default(size=max(10, (h - top) * 0.55))
    draw.text((w * 0.04, top + (h - top) * 0.2), 'Summer 2024, best day ever!', font=font)
    return Image.alpha_composite(im, band).convert('RGB')


# --- signals through the real pipeline ----------------------------------------------------------


def _query(path: Path) -> Query:
    facts = query_signature(str(path), max_pixels=MAX_PIXELS)
    assert isinstance(facts, QueryFacts), facts
    assert len(facts.signature) == SIGNATURE_BYTES and len(facts.turned) == 7
    return facts.dhash, facts.signature, facts.turned


def signals_for(original: Image.Image) -> dict[str, Query]:
    """The original and its copies, each written to a file and processed as an upload."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / 'base.jpg'
        original.save(path, 'JPEG', quality=90)
        out = {'base': _query(path)}
        with Image.open(path) as decoded:
            base = decoded.convert('RGB')
        for kind, im, fmt, params in variants(base):
            vpath = Path(tmp) / f'{kind}.{fmt.lower()}'
            im.save(vpath, fmt, **params)
            out[kind] = _query(vpath)
        return out


def signals_for_base(i: int) -> dict[str, Query]:
    return signals_for(base_image(i, 'base'))


def signals_for_real(name: str) -> dict[str, Query]:
    return signals_for(real_photo(name))


def signal_for_distractor(i: int) -> Query:
    buf = io.BytesIO()
    base_image(i, 'distractor').save(buf, 'JPEG', quality=90)
    with tempfile.NamedTemporaryFile(suffix='.jpg') as fh:
        fh.write(buf.getvalue())
        fh.flush()
        return _query(Path(fh.name))


# --- measurements --------------------------------------------------------------------------------


def turned_of(query: Query, eight: bool) -> tuple[Signal, ...]:
    return query[2] if eight else ()


def closest_distance(query: Query, stored: Query, eight: bool) -> float:
    """The query's distance to a stored image, as nearest() computes it."""
    turned = [
        distance(dh, sig, stored[0], stored[1]) + TURN_PENALTY
        for dh, sig in turned_of(query, eight)
    ]
    return min([distance(query[0], query[1], stored[0], stored[1]), *turned])


def recall(index: SimilarityIndex, sets: dict[str, dict[str, Query]], eight: bool) -> dict:
    """Per kind: share of copies whose original is the nearest, and among the 5 nearest."""
    at1 = {kind: 0 for kind in KINDS}
    at5 = {kind: 0 for kind in KINDS}
    for name, queries in sets.items():
        for kind in KINDS:
            dh, sig, _turned = queries[kind]
            top = index.nearest(
                dh, sig, viewer_id=None, limit=5, turned=turned_of(queries[kind], eight)
            )
            found = [key for key, _ in top]
            at1[kind] += found[:1] == [name]
            at5[kind] += name in found
    n = len(sets)
    return {
        'recall_at_1': {k: round(v / n, 3) for k, v in at1.items()},
        'recall_at_5': {k: round(v / n, 3) for k, v in at5.items()},
    }


def copy_distances(sets: dict[str, dict[str, Query]], eight: bool) -> dict[str, list[float]]:
    return {
        kind: [closest_distance(q[kind], q['base'], eight) for q in sets.values()] for kind in KINDS
    }


def unrelated_distances(originals: list[Query], eight: bool) -> list[float]:
    """Every pair of distinct originals, each side queried against the other (as a search from
    either would rank it), the smaller of the two."""
    index = SimilarityIndex()
    index.load(Entry(str(i), 1, True, q[0], q[1]) for i, q in enumerate(originals))
    pair: dict[tuple[int, int], float] = {}
    for i, q in enumerate(originals):
        ranked = index.nearest(
            q[0], q[1], viewer_id=None, limit=len(originals), turned=turned_of(q, eight)
        )
        for key, d in ranked:
            j = int(key)
            if j != i:
                a, b = min(i, j), max(i, j)
                pair[a, b] = min(d, pair.get((a, b), float('inf')))
    return list(pair.values())


def share(values: list[float], limit: float, digits: int = 4) -> float:
    return round(statistics.fmean(v <= limit for v in values), digits) if values else 0.0


def percentiles(values: list[float]) -> dict[str, float]:
    data = np.array(values)
    return {
        'min': round(float(data.min()), 2),
        'p0.1': round(float(np.percentile(data, 0.1)), 2),
        'p1': round(float(np.percentile(data, 1)), 2),
        'p5': round(float(np.percentile(data, 5)), 2),
        'p50': round(float(np.percentile(data, 50)), 2),
    }


def quality(
    generated: dict[str, dict[str, Query]],
    real: dict[str, dict[str, Query]],
    distractors: list[Query],
) -> dict:
    originals = {
        **{k: q['base'] for k, q in generated.items()},
        **{k: q['base'] for k, q in real.items()},
    }
    index = SimilarityIndex()
    index.load(
        [Entry(key, 1, True, q[0], q[1]) for key, q in originals.items()]
        + [Entry(f'd{j}', 1, True, q[0], q[1]) for j, q in enumerate(distractors)]
    )
    out: dict = {
        'near_duplicate_distance': NEAR_DUPLICATE_DISTANCE,
        'similar_distance': SIMILAR_DISTANCE,
    }
    for label, eight in ORIENTATIONS.items():
        result: dict = {}
        for set_name, sets in (('generated', generated), ('real', real)):
            dists = copy_distances(sets, eight)
            result[set_name] = {
                **recall(index, sets, eight),
                'within_near_duplicate': {
                    k: share(v, NEAR_DUPLICATE_DISTANCE) for k, v in dists.items()
                },
                'within_similar': {k: share(v, SIMILAR_DISTANCE) for k, v in dists.items()},
                'distance_p50_p95_max': {
                    k: [
                        round(float(np.percentile(v, 50)), 1),
                        round(float(np.percentile(v, 95)), 1),
                        round(max(v), 1),
                    ]
                    for k, v in dists.items()
                },
            }
        unrelated = unrelated_distances([*originals.values(), *distractors], eight)
        real_only = unrelated_distances([q['base'] for q in real.values()], eight)
        copies = [
            d
            for sets in (generated, real)
            for ds in copy_distances(sets, eight).values()
            for d in ds
        ]
        result['thresholds'] = {
            f'{limit:g}': [share(copies, limit), share(unrelated, limit, 6)] for limit in SWEEP
        }
        result['unrelated'] = {
            'pairs': len(unrelated),
            'within_near_duplicate': share(unrelated, NEAR_DUPLICATE_DISTANCE),
            'within_similar': share(unrelated, SIMILAR_DISTANCE),
            'distance': percentiles(unrelated),
            'real_pairs': len(real_only),
            'real_within_similar': share(real_only, SIMILAR_DISTANCE),
            'real_distance': percentiles(real_only),
        }
        out[label] = result
    return out


def speed(sets: list[dict[str, Query]], distractors: list[Query], size: int, queries: int) -> dict:
    rng = random.Random(5)
    owners = 1000
    real = [q for s in sets for q in s.values()] + distractors
    rows = [
        Entry(f'r{j}', rng.randrange(owners), rng.random() < 0.5, q[0], q[1])
        for j, q in enumerate(real)
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
    times: dict[str, list[float]] = {label: [] for label in ORIENTATIONS}
    for q in range(queries):
        query = real[rng.randrange(len(real))]
        viewer = rng.randrange(owners) if q % 10 else None
        for label, eight in ORIENTATIONS.items():
            started = time.perf_counter()
            index.nearest(
                query[0],
                query[1],
                viewer_id=viewer,
                limit=20,
                max_distance=SIMILAR_DISTANCE,
                turned=turned_of(query, eight),
            )
            times[label].append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    groups = index.near_duplicate_groups(heavy)
    groups_ms = (time.perf_counter() - started) * 1000
    out: dict = {}
    for label, values in times.items():
        values.sort()
        out[f'nearest_{label}_p50_ms'] = round(values[len(values) // 2], 2)
        out[f'nearest_{label}_p95_ms'] = round(values[int(len(values) * 0.95)], 2)
    return {
        **out,
        'index_size': len(index),
        'queries': queries,
        'load_s': round(load_s, 2),
        'groups_ms': round(groups_ms, 1),
        'groups_owner_images': sum(1 for r in rows if r.owner_id == heavy),
        'groups_found': len(groups),
    }


def report(result: dict) -> None:
    print(
        f'{result["bases"]} generated and {result["real_photos"]} real originals x '
        f'{len(KINDS)} edits, {result["distractors"]} distractors; thresholds: same picture '
        f'<= {NEAR_DUPLICATE_DISTANCE:g}, shown as similar <= {SIMILAR_DISTANCE:g}'
    )
    for set_name in ('generated', 'real'):
        print(f'\n{set_name}: recall@1 / recall@5 / within similar, one -> eight orientations')
        for kind in KINDS:
            cells = []
            for label in ORIENTATIONS:
                r = result[label][set_name]
                cells.append(
                    f'{r["recall_at_1"][kind]:.2f} {r["recall_at_5"][kind]:.2f} '
                    f'{r["within_similar"][kind]:.2f}'
                )
            worst = result['eight'][set_name]['distance_p50_p95_max'][kind]
            print(f'  {kind:8} {cells[0]}  ->  {cells[1]}   distance p50/p95/max {worst}')
    for label in ORIENTATIONS:
        u = result[label]['unrelated']
        print(
            f'\nunrelated ({label}): {u["pairs"]:,} pairs, within same '
            f'{u["within_near_duplicate"]}, within similar {u["within_similar"]}; distance '
            f'{u["distance"]}; real photos only: {u["real_pairs"]} pairs, within similar '
            f'{u["real_within_similar"]}, {u["real_distance"]}'
        )
        print(f'  thresholds: [copies within, unrelated within] {result[label]["thresholds"]}')
    print(
        f'\nnearest over {result["index_size"]:,}: one orientation p50 '
        f'{result["nearest_one_p50_ms"]} / p95 {result["nearest_one_p95_ms"]} ms, eight p50 '
        f'{result["nearest_eight_p50_ms"]} / p95 {result["nearest_eight_p95_ms"]} ms; load '
        f'{result["load_s"]} s; duplicate groups of {result["groups_owner_images"]:,} images '
        f'{result["groups_ms"]} ms'
    )


def signals(args: argparse.Namespace) -> tuple[dict, dict, list]:
    """Every file's signals, made in a process pool (or read from --cache, made by an earlier
    run with the same arguments and the same repo/imaging/ code; delete it after changing how
    this script makes its images)."""
    code = b''.join(p.read_bytes() for p in sorted(Path(imaging.__file__).parent.glob('*.py')))
    key = (args.bases, args.distractors, code)
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.exists():
        stored = pickle.loads(cache.read_bytes())
        if stored['key'] == key:
            return stored['generated'], stored['real'], stored['distractors']
    with ProcessPoolExecutor(args.workers) as pool:
        generated = dict(
            zip(
                (f'g{i}' for i in range(args.bases)),
                pool.map(signals_for_base, range(args.bases), chunksize=4),
                strict=True,
            )
        )
        real = dict(zip(REAL, pool.map(signals_for_real, REAL), strict=True))
        distractors = list(pool.map(signal_for_distractor, range(args.distractors), chunksize=8))
    if cache is not None:
        made = {'key': key, 'generated': generated, 'real': real, 'distractors': distractors}
        cache.write_bytes(pickle.dumps(made))
    return generated, real, distractors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    parser.add_argument('--bases', type=int, default=240)
    parser.add_argument('--distractors', type=int, default=600)
    parser.add_argument('--index-size', type=int, default=100_000)
    parser.add_argument('--queries', type=int, default=500)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--cache', metavar='FILE', help='keep the signals here for the next run')
    args = parser.parse_args()
    started = time.perf_counter()
    generated, real, distractors = signals(args)
    made_s = time.perf_counter() - started
    result = {
        **quality(generated, real, distractors),
        **speed([*generated.values(), *real.values()], distractors, args.index_size, args.queries),
        'bases': args.bases,
        'real_photos': len(real),
        'kinds': list(KINDS),
        'distractors': args.distractors,
        'crop': f'{CROP:.0%} from each side',
        'generate_and_process_s': round(made_s, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        report(result)


if __name__ == '__main__':
    main()
