"""repo.similarity: copies of an image find it, unrelated images don't look alike, and nobody
ever gets an image they may not see. Images are generated with Pillow and go through the real
upload pipeline (repo.imaging), as in bench/similar.py but smaller."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from repo.imaging import (
    SIGNATURE_BYTES,
    ImageFacts,
    ImageRejection,
    QueryFacts,
    hamming,
    process_image,
    query_signature,
)
from repo.similarity import (
    DHASH_ONLY_SCALE,
    NEAR_DUPLICATE_DISTANCE,
    SIMILAR_DISTANCE,
    TURN_PENALTY,
    Entry,
    SimilarityIndex,
    distance,
    is_near_duplicate,
)
from tests.images import TEXT, flat_png_bomb, truncated_jpeg

MAX_PIXELS = 50_000_000
KINDS = ('half', 'jpeg40', 'crop', 'bright', 'png')
ALICE, BOB, CAROL = 1, 2, 3


# --- images ------------------------------------------------------------------------------------


def photo(seed: int, size: tuple[int, int] = (600, 400)) -> Image.Image:
    """Photo-like: a colour wash, soft shapes and grain. Odd seeds are sky-over-ground scenes,
    which look alike on purpose."""
    rng = random.Random(seed)
    w, h = size
    if seed % 2:
        horizon = int(h * rng.uniform(0.3, 0.7))
        im = Image.new('RGB', size, (rng.randint(60, 140), rng.randint(100, 160), 60))
        sky = (rng.randint(80, 140), rng.randint(130, 190), rng.randint(200, 240))
        im.paste(Image.new('RGB', (w, horizon), sky))
    else:
        grad = Image.linear_gradient('L').resize((512, 512))
        bands = [grad.rotate(rng.uniform(0, 360)).crop((128, 128, 384, 384)) for _ in 'RGB']
        im = Image.merge('RGB', [band.resize(size) for band in bands])
    draw = ImageDraw.Draw(im)
    for _ in range(rng.randint(3, 9)):
        x, y = rng.randrange(w), rng.randrange(h)
        box = (x, y, x + rng.randint(w // 12, w // 3), y + rng.randint(h // 12, h // 3))
        fill = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=fill)
    im = im.filter(ImageFilter.GaussianBlur(2))
    grain = Image.frombytes('L', size, rng.randbytes(w * h)).point(lambda v: 120 + v // 16)
    return ImageChops.add(im, Image.merge('RGB', [grain] * 3), 1.0, -128)


def variant(base: Image.Image, kind: str, path: Path) -> Path:
    w, h = base.size
    dx, dy = round(w * 0.05), round(h * 0.05)  # 5% off each side
    im, fmt, params = {
        'base': (base, 'JPEG', {'quality': 90}),
        'half': (base.resize((w // 2, h // 2), Image.Resampling.LANCZOS), 'JPEG', {'quality': 90}),
        'jpeg40': (base, 'JPEG', {'quality': 40}),
        'crop': (base.crop((dx, dy, w - dx, h - dy)), 'JPEG', {'quality': 90}),
        'bright': (ImageEnhance.Brightness(base).enhance(1.1), 'JPEG', {'quality': 90}),
        'png': (base, 'PNG', {}),
    }[kind]
    im.save(path, fmt, **params)
    return path


def facts(path: Path) -> ImageFacts:
    result = process_image(str(path), None, None, max_pixels=MAX_PIXELS)
    assert isinstance(result, ImageFacts), result
    return result


@pytest.fixture(scope='module')
def copies(tmp_path_factory) -> dict[tuple[int, str], ImageFacts]:
    """12 base images and their 5 variants each, processed as uploads."""
    tmp = tmp_path_factory.mktemp('copies')
    out = {}
    for seed in range(12):
        base = photo(seed)
        for kind in ('base', *KINDS):
            out[seed, kind] = facts(variant(base, kind, tmp / f'{seed}-{kind}.img'))
    return out


def sig(seed: int) -> bytes:
    """An arbitrary valid signature."""
    return random.Random(seed).randbytes(SIGNATURE_BYTES)


def keys(results: list[tuple[str, float]]) -> list[str]:
    return [key for key, _ in results]


# --- quality -----------------------------------------------------------------------------------


def test_uploads_carry_a_signature(copies):
    assert all(len(f.signature) == SIGNATURE_BYTES for f in copies.values())
    assert copies[0, 'base'].signature != copies[1, 'base'].signature


def test_every_variant_finds_its_base_among_the_five_nearest(copies):
    index = SimilarityIndex()
    for (seed, kind), f in copies.items():
        index.add(f'{seed}:{kind}', ALICE, True, f.dhash, f.signature)
    for (seed, kind), f in copies.items():
        if kind == 'base':
            continue
        top = index.nearest(f.dhash, f.signature, viewer_id=None, limit=5, exclude=f'{seed}:{kind}')
        assert f'{seed}:base' in keys(top), (seed, kind, top)
        assert f'{seed}:{kind}' not in keys(top)


@pytest.mark.parametrize('kind', ['half', 'jpeg40', 'bright', 'png'])
def test_copies_are_near_duplicates_of_their_base(copies, kind):
    for seed in range(12):
        copy, base = copies[seed, kind], copies[seed, 'base']
        assert is_near_duplicate(distance(copy.dhash, copy.signature, base.dhash, base.signature))


def test_unrelated_images_are_not_near_duplicates(copies):
    bases = [copies[seed, 'base'] for seed in range(12)]
    for i, a in enumerate(bases):
        for b in bases[i + 1 :]:
            assert not is_near_duplicate(distance(a.dhash, a.signature, b.dhash, b.signature))


def test_colour_tells_apart_images_with_the_same_structure(tmp_path):
    """Same shapes in other colours: the dHash alone would call them duplicates."""
    grey = photo(4).convert('L')
    blue = ImageOps.colorize(grey, black='#102040', white='#a0c0ff')
    orange = ImageOps.colorize(grey, black='#402010', white='#ffc0a0')  # same light/dark order
    a = facts(variant(blue, 'base', tmp_path / 'a.jpg'))
    b = facts(variant(orange, 'base', tmp_path / 'b.jpg'))
    assert hamming(a.dhash, b.dhash) <= 4
    assert not is_near_duplicate(distance(a.dhash, a.signature, b.dhash, b.signature))


# --- turned and mirrored copies ----------------------------------------------------------------

TURNS = {
    'rot90': Image.Transpose.ROTATE_90,
    'rot180': Image.Transpose.ROTATE_180,
    'rot270': Image.Transpose.ROTATE_270,
    'mirror': Image.Transpose.FLIP_LEFT_RIGHT,
}


def query(path: Path) -> QueryFacts:
    result = query_signature(str(path), max_pixels=MAX_PIXELS)
    assert isinstance(result, QueryFacts), result
    return result


@pytest.fixture(scope='module')
def turned(tmp_path_factory) -> dict[tuple[int, str], QueryFacts]:
    """10 base images and their turned and mirrored copies (no EXIF orientation), as queries."""
    tmp = tmp_path_factory.mktemp('turned')
    out = {}
    for seed in range(10):
        base = photo(seed)
        out[seed, 'base'] = query(variant(base, 'base', tmp / f'{seed}.jpg'))
        for kind, turn in TURNS.items():
            path = tmp / f'{seed}-{kind}.jpg'
            base.transpose(turn).save(path, 'JPEG', quality=90)
            out[seed, kind] = query(path)
    return out


def bases_index(turned: dict[tuple[int, str], QueryFacts]) -> SimilarityIndex:
    index = SimilarityIndex()
    for (seed, kind), q in turned.items():
        if kind == 'base':
            index.add(str(seed), ALICE, True, q.dhash, q.signature)
    return index


@pytest.mark.parametrize('kind', sorted(TURNS))
def test_turned_and_mirrored_copies_find_their_original_first(turned, kind):
    index = bases_index(turned)
    for seed in range(10):
        q, base = turned[seed, kind], turned[seed, 'base']
        assert len(q.turned) == 7
        found = index.nearest(q.dhash, q.signature, viewer_id=None, limit=1, turned=q.turned)
        assert keys(found) == [str(seed)], (seed, kind)
        assert is_near_duplicate(found[0][1])
        # As it is, the copy is no near-duplicate: the other orientations are what find it.
        assert not is_near_duplicate(distance(q.dhash, q.signature, base.dhash, base.signature))


def test_looking_in_eight_orientations_finds_no_unrelated_image(turned):
    index = bases_index(turned)
    for seed in range(10):
        q = turned[seed, 'base']
        found = index.nearest(
            q.dhash,
            q.signature,
            viewer_id=None,
            limit=10,
            turned=q.turned,
            exclude=str(seed),
            max_distance=SIMILAR_DISTANCE,
        )
        assert found == [], seed


def test_a_match_in_another_orientation_counts_the_turn_penalty():
    index = SimilarityIndex()
    index.add('same-way', ALICE, True, 0b1111, sig(1))
    index.add('turned', ALICE, True, 0b0000, sig(2))
    found = index.nearest(0b1111, sig(1), viewer_id=None, limit=5, turned=[(0b0000, sig(2))])
    assert found == [('same-way', 0.0), ('turned', TURN_PENALTY)]


def test_max_distance_is_a_hard_limit():
    index = SimilarityIndex()
    for bits in (10, 24, 25):  # same colours: the distance is the number of bits that differ
        index.add(f'{bits}-bits', ALICE, True, (1 << bits) - 1, sig(1))
    found = index.nearest(0, sig(1), viewer_id=None, limit=10, max_distance=24)
    assert found == [('10-bits', 10.0), ('24-bits', 24.0)]
    turned = index.nearest(
        0, sig(1), viewer_id=None, limit=10, max_distance=24, turned=[(0, sig(1))]
    )
    assert turned == found


# --- query images ------------------------------------------------------------------------------


def test_query_signature_equals_what_an_upload_stores_and_writes_nothing(tmp_path):
    src = variant(photo(3), 'base', tmp_path / 'query.jpg')
    before = sorted(tmp_path.iterdir())
    query = query_signature(str(src), max_pixels=MAX_PIXELS)
    assert isinstance(query, QueryFacts)
    upload = facts(src)
    assert (query.dhash, query.signature) == (upload.dhash, upload.signature)
    assert sorted(tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    ('name', 'data', 'max_pixels', 'status'),
    [
        ('text', TEXT, MAX_PIXELS, 415),
        ('bomb', flat_png_bomb(), MAX_PIXELS, 413),
        ('oversized', None, 100_000, 413),
        ('empty', b'', MAX_PIXELS, 422),
        ('truncated', truncated_jpeg(), MAX_PIXELS, 422),
    ],
)
def test_bad_query_images_get_the_uploads_errors(tmp_path, name, data, max_pixels, status):
    src = tmp_path / name
    if data is None:
        photo(5, (600, 400)).save(src, 'JPEG')  # 240,000 pixels
    else:
        src.write_bytes(data)
    refused = query_signature(str(src), max_pixels=max_pixels)
    assert isinstance(refused, ImageRejection)
    assert refused.status == status
    as_upload = process_image(str(src), str(tmp_path / 't.webp'), None, max_pixels=max_pixels)
    assert refused == as_upload


# --- the index: access --------------------------------------------------------------------------


@pytest.fixture
def shared() -> SimilarityIndex:
    """The same picture three times: alice's private copy, alice's public one, bob's private."""
    index = SimilarityIndex()
    index.add('alice-private', ALICE, False, 7, sig(1))
    index.add('alice-public', ALICE, True, 7, sig(1))
    index.add('bob-private', BOB, False, 7, sig(1))
    index.add('far-public', CAROL, True, ~7, sig(2))
    return index


def test_nobody_gets_someone_elses_private_image(shared):
    def seen(viewer):
        return set(keys(shared.nearest(7, sig(1), viewer_id=viewer, limit=10)))

    assert seen(None) == {'alice-public', 'far-public'}
    assert seen(ALICE) == {'alice-private', 'alice-public', 'far-public'}
    assert seen(BOB) == {'alice-public', 'bob-private', 'far-public'}
    assert seen(CAROL) == {'alice-public', 'far-public'}


def test_results_are_closest_first_limited_and_exclude_the_image_itself(shared):
    found = shared.nearest(7, sig(1), viewer_id=ALICE, limit=10)
    assert keys(found) == ['alice-private', 'alice-public', 'far-public']
    assert [d for _, d in found][:2] == [0.0, 0.0]
    assert found[2][1] > NEAR_DUPLICATE_DISTANCE
    assert keys(shared.nearest(7, sig(1), viewer_id=ALICE, limit=1)) == ['alice-private']
    more = shared.nearest(7, sig(1), viewer_id=ALICE, limit=2, exclude='alice-private')
    assert keys(more) == ['alice-public', 'far-public']
    assert shared.nearest(7, sig(1), viewer_id=ALICE, limit=0) == []


def test_max_distance_and_own_only(shared):
    near = shared.nearest(7, sig(1), viewer_id=BOB, limit=10, max_distance=NEAR_DUPLICATE_DISTANCE)
    assert keys(near) == ['alice-public', 'bob-private']
    mine = shared.nearest(7, sig(1), viewer_id=BOB, limit=10, own_only=True)
    assert keys(mine) == ['bob-private']
    assert shared.nearest(7, sig(1), viewer_id=None, limit=10, own_only=True) == []


def test_visibility_changes_and_removals_take_effect_at_once(shared):
    assert shared.set_visibility('alice-private', True)
    assert 'alice-private' in keys(shared.nearest(7, sig(1), viewer_id=BOB, limit=10))
    assert shared.set_visibility('alice-private', False)
    assert 'alice-private' not in keys(shared.nearest(7, sig(1), viewer_id=BOB, limit=10))
    assert shared.remove('alice-public')
    assert not shared.remove('alice-public')
    assert not shared.set_visibility('alice-public', True)
    assert 'alice-public' not in keys(shared.nearest(7, sig(1), viewer_id=ALICE, limit=10))
    assert len(shared) == 3 and 'alice-public' not in shared


def test_adding_a_key_again_replaces_it(shared):
    shared.add('alice-private', ALICE, True, ~7, sig(2))
    assert len(shared) == 4
    found = dict(shared.nearest(~7, sig(2), viewer_id=BOB, limit=10))
    assert found['alice-private'] == 0.0


def test_duplicate_groups_hold_only_the_owners_images():
    index = SimilarityIndex()
    index.add('a1', ALICE, False, 100, sig(1))
    index.add('b1', BOB, False, 100, sig(1))  # bob's copy of a1
    index.add('a2', ALICE, True, 100 ^ 0x3FF << 20, sig(1))  # 10 bits from a1
    index.add('a3', ALICE, False, 100 ^ 0xFFFFF << 20, sig(1))  # 20 bits from a1, 10 from a2
    index.add('a4', ALICE, False, ~100, sig(3))  # unrelated
    index.add('b2', BOB, True, ~100, sig(3))
    assert index.near_duplicate_groups(ALICE) == [['a1', 'a2', 'a3']]  # a3 joins through a2
    assert index.near_duplicate_groups(BOB) == []
    assert index.near_duplicate_groups(CAROL) == []
    index.remove('a2')
    assert index.near_duplicate_groups(ALICE) == []  # a1 and a3 are 20 bits apart


def test_rows_without_a_signature_fall_back_to_the_dhash():
    assert distance(0, b'', 0b11_1111_1111, sig(1)) == 10 * DHASH_ONLY_SCALE
    assert is_near_duplicate(distance(0, b'', 0b11_1111_1111, sig(1)))
    assert not is_near_duplicate(distance(0, sig(1), 0b111_1111_1111, b''))
    index = SimilarityIndex()
    index.add('old', ALICE, True, 0b11_1111_1111, b'')
    index.add('new', ALICE, True, 0b1_1111_1111, sig(1))  # 1 bit from 'old'
    assert index.nearest(0, sig(1), viewer_id=None, limit=5) == [
        ('new', 9.0),
        ('old', 10 * DHASH_ONLY_SCALE),
    ]
    assert index.near_duplicate_groups(ALICE) == [['old', 'new']]


def test_bad_signatures_are_refused():
    with pytest.raises(ValueError):
        SimilarityIndex().add('x', ALICE, True, 0, b'short')


def test_load_replaces_everything():
    index = SimilarityIndex()
    index.add('gone', ALICE, True, 0, sig(0))
    index.load(
        [
            ('k1', ALICE, True, 5, sig(1)),
            Entry('k2', BOB, False, 5, b''),
            ('k1', BOB, True, 6, sig(2)),
        ]
    )
    assert len(index) == 2 and 'gone' not in index
    assert keys(index.nearest(6, sig(2), viewer_id=None, limit=5)) == ['k1']  # the last k1 wins
    assert keys(index.nearest(5, b'', viewer_id=BOB, limit=5)) == ['k2', 'k1']


# --- the index: against a brute-force reference -----------------------------------------------


def test_nearest_agrees_with_brute_force_through_growth_and_compaction():
    rng = random.Random(7)
    index = SimilarityIndex()
    rows: dict[str, Entry] = {}
    centres = [(rng.getrandbits(64), rng.randbytes(SIGNATURE_BYTES)) for _ in range(40)]
    for i in range(3000):
        dh, sg = rng.choice(centres)
        dh ^= rng.getrandbits(64) & rng.getrandbits(64) & rng.getrandbits(64)  # ~8 bits apart
        sg = bytes(min(255, max(0, b + rng.randint(-6, 6))) for b in sg)
        entry = Entry(f'k{i}', rng.randrange(6), rng.random() < 0.4, dh, b'' if i % 9 == 0 else sg)
        index.add(*entry)
        rows[entry.key] = entry
    for key in rng.sample(sorted(rows), 1500):  # enough to trigger compaction
        index.remove(key)
        del rows[key]
    for key in rng.sample(sorted(rows), 300):
        rows[key] = rows[key]._replace(public=not rows[key].public)
        index.set_visibility(key, rows[key].public)
    for q in range(60):
        dh, sg = rng.choice(centres)
        query_sig = b'' if q % 10 == 0 else sg
        viewer = rng.choice([None, 0, 1, 2, 3, 4, 5])
        visible = [e for e in rows.values() if e.public or e.owner_id == viewer]
        expected = sorted((distance(dh, query_sig, e.dhash, e.signature), e.key) for e in visible)[
            :10
        ]
        found = index.nearest(dh, query_sig, viewer_id=viewer, limit=10)
        assert len(found) == len(expected)
        for (key, d), (want_d, _want_key) in zip(found, expected, strict=True):
            assert d == pytest.approx(want_d, abs=0.02)
            entry = rows[key]
            assert entry.public or entry.owner_id == viewer
            assert distance(dh, query_sig, entry.dhash, entry.signature) == pytest.approx(
                d, abs=0.02
            )


def test_nearest_in_several_orientations_agrees_with_brute_force():
    rng = random.Random(11)
    index = SimilarityIndex()
    rows = []
    centres = [(rng.getrandbits(64), rng.randbytes(SIGNATURE_BYTES)) for _ in range(30)]
    for i in range(2000):
        dh, sg = rng.choice(centres)
        dh ^= rng.getrandbits(64) & rng.getrandbits(64) & rng.getrandbits(64)
        sg = bytes(min(255, max(0, b + rng.randint(-6, 6))) for b in sg)
        entry = Entry(f'k{i}', rng.randrange(4), rng.random() < 0.5, dh, b'' if i % 11 == 0 else sg)
        index.add(*entry)
        rows.append(entry)
    for _ in range(40):
        (dh, sg), *others = rng.sample(centres, 8)
        viewer = rng.choice([None, 0, 1, 2, 3])
        limit_to = rng.choice([None, 12.0, 30.0])
        visible = [e for e in rows if e.public or e.owner_id == viewer]

        def best(e: Entry, dh: int = dh, sg: bytes = sg, others: list = others) -> float:
            return min(
                distance(dh, sg, e.dhash, e.signature),
                *(distance(h, s, e.dhash, e.signature) + TURN_PENALTY for h, s in others),
            )

        expected = sorted(d for d in map(best, visible) if limit_to is None or d <= limit_to)
        found = index.nearest(
            dh, sg, viewer_id=viewer, limit=10, turned=others, max_distance=limit_to
        )
        assert [d for _, d in found] == pytest.approx(expected[:10], abs=0.02)
        by_key = {e.key: e for e in rows}
        for key, d in found:
            assert best(by_key[key]) == pytest.approx(d, abs=0.02)


# --- the index: threads ------------------------------------------------------------------------


def test_concurrent_writes_never_leak_or_break_queries():
    index = SimilarityIndex()
    rng = random.Random(3)
    for i in range(500):
        index.add(f'alice-{i}', ALICE, False, rng.getrandbits(64), sig(i))
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(offset: int) -> None:
        local = random.Random(offset)
        try:
            for i in range(1500):
                key = f'bob-{offset}-{i}'
                index.add(key, BOB, local.random() < 0.5, local.getrandbits(64), sig(i))
                if i % 3 == 0:
                    index.set_visibility(key, local.random() < 0.5)
                if i % 4 == 0:
                    index.remove(f'bob-{offset}-{i // 2}')
                if i % 50 == 0 and i < 500:
                    index.add(f'alice-{i}', ALICE, False, local.getrandbits(64), sig(i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        local = random.Random(9)
        try:
            while not stop.is_set():
                found = index.nearest(local.getrandbits(64), sig(1), viewer_id=CAROL, limit=50)
                assert not [key for key, _ in found if key.startswith('alice-')]
                ds = [d for _, d in found]
                assert ds == sorted(ds)
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors, errors[0]
    assert len(index) == 500 + 2 * (1500 - 375)
