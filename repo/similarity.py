"""Visual similarity: the distance between two images' signatures, and an in-memory index.

A signature is the 64-bit dHash plus the 4x4 CIELAB colour layout from repo.imaging. The
distance is `dhash bits that differ + COLOR_WEIGHT * RMS colour difference (CIE76 dE) over the
16 cells`. Each signal covers the other's blind spot: the dHash knows structure but not colour
and moves by ~11 bits (up to 21) when 5% is cropped from each side; the colour layout barely
moves under a crop but cannot tell apart two landscapes of similar colours. bench/similar.py
(240 generated bases x 5 variants, 2,000 unrelated distractors):

    dHash alone   crop recall@5 0.98, 0.96 with the distractors; half the crops within
                  10 bits; an unrelated pair as close as 5 bits
    combined      recall@5 1.00 for every kind, with or without the distractors; no unrelated
                  pair closer than 21.8; within NEAR_DUPLICATE_DISTANCE: every resized,
                  recompressed, converted or brightened copy (worst 9.9) and 78% of the crops

Rows whose signature is missing (b'', e.g. stored before signatures existed) fall back to the
dHash alone, scaled so that the old rule "<= 10 bits is a near-duplicate" maps onto the same
threshold.

SimilarityIndex keeps one row per image in numpy arrays and compares a query against all rows
the viewer may see in one vectorised pass (XOR + popcount, one matrix product for the colours).
Readers never lock: writers publish a new immutable snapshot, appending into spare capacity or
copying the small flag arrays they change, so a query sees either the old or the new state.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from repo.imaging import (
    SIGNATURE_AB_OFFSET,
    SIGNATURE_BYTES,
    SIGNATURE_GRID,
    SIGNATURE_L_SCALE,
)

# Weight of one unit of RMS colour difference (dE) against one dHash bit. On generated photos,
# unrelated pairs differ by a median 32 bits and 47 dE (1st percentile: 22 bits, 20 dE); a copy
# brightened by 10% moves up to 9 bits and 8 dE, a 5% crop a median 11 bits and 4.5 dE. At 0.5
# the colour term adds ~10-25 to unrelated pairs, at most ~4 to copies, and leaves the bits in
# charge of structure.
COLOR_WEIGHT = 0.5
# Near-duplicate: resized, recompressed, converted and brightened copies all fall within it
# (worst seen 9.9), and ~78% of copies cropped by 5% on every side; no pair of unrelated
# generated images came closer than 21.8 (bench/similar.py reports both).
NEAR_DUPLICATE_DISTANCE = 16.0
# What "More like this" and search by image show at most. bench/similar.py (240 generated and
# 19 real photographs, 11 edits each, 368,511 pairs of unrelated pictures): no unrelated pair
# comes closer than 21.9, while 98% of all edited copies are within 20 (every resized,
# recompressed, brightened, converted, captioned, turned and mirrored one; of 5% crops and
# greyscale copies the rest are further). At 22 and 24, 2 and 4 unrelated pairs get in.
SIMILAR_DISTANCE = 20.0
# Added to the distance of a match in another orientation than the query's own. Eight tries
# give an unrelated picture eight chances at a low dHash distance; with this penalty the
# unrelated pairs within each threshold from 16 to 24 are the same as with one orientation,
# while a turned or mirrored copy still comes within ~10 of its original (median 5).
TURN_PENALTY = 5.0
# Without a colour layout: dHash bits x 1.6, so 10 bits (the usual dHash rule) is the threshold.
DHASH_ONLY_SCALE = NEAR_DUPLICATE_DISTANCE / 10

_CELLS = SIGNATURE_GRID * SIGNATURE_GRID
_DIMS = SIGNATURE_BYTES
_MASK64 = (1 << 64) - 1
_MIN_CAPACITY = 1024
_COMPACT_MIN_DEAD = 256  # compact when this many (and a quarter of the rows) are tombstones
_PAIR_BLOCK = 4_000_000  # pairwise comparisons per vectorised step in near_duplicate_groups
# A relative bound on float32 rounding in |c|^2 - 2 c.q + |q|^2 over 48 values (about 2x the
# worst case of 48 * 2^-24 per operation, summed over the three terms).
_ROUNDING = 1e-5
# Colours are stored relative to mid-grey (L* 50), which keeps the norms and their rounding small.
_CENTRE_L = 50.0


_COLUMNS = ('hashes', 'colors', 'norms', 'has_color', 'owners', 'public', 'alive')


class Entry(NamedTuple):
    """One image as the index needs it (what Library loads from the database)."""

    key: str
    owner_id: int
    public: bool
    dhash: int  # signed or unsigned 64-bit
    signature: bytes  # ImageFacts.signature; b'' if unknown


def is_near_duplicate(distance: float) -> bool:
    return distance <= NEAR_DUPLICATE_DISTANCE


def distance(dhash_a: int, signature_a: bytes, dhash_b: int, signature_b: bytes) -> float:
    """The distance between two signatures, as nearest() computes it for each row."""
    bits = ((dhash_a ^ dhash_b) & _MASK64).bit_count()
    if not signature_a or not signature_b:
        return bits * DHASH_ONLY_SCALE
    diff = _decode(signature_a) - _decode(signature_b)
    return bits + COLOR_WEIGHT * math.sqrt(float(diff @ diff) / _CELLS)


def _decode(signatures: bytes) -> np.ndarray:
    """Signature bytes -> float32 Lab values (L* - 50, a*, b*), centred on mid-grey.

    One signature gives shape (48,); several joined together give (count, 48).
    """
    if not signatures or len(signatures) % _DIMS:
        raise ValueError(f'A signature has {_DIMS} bytes, not {len(signatures)}')
    lab = np.frombuffer(signatures, dtype=np.uint8).astype(np.float32).reshape(-1, _CELLS, 3)
    lab[..., 0] /= SIGNATURE_L_SCALE
    lab[..., 0] -= _CENTRE_L
    lab[..., 1:] -= SIGNATURE_AB_OFFSET
    flat = lab.reshape(-1, _DIMS)
    return flat[0] if len(flat) == 1 else flat


def _unsigned(dhash: int) -> np.uint64:
    return np.uint64(dhash & _MASK64)


@dataclass(frozen=True)
class _Snapshot:
    """One consistent state. Rows [0, size) are valid; arrays may have spare capacity after."""

    size: int
    keys: list[str]  # slot -> key; only appended to, so readers index below `size` safely
    hashes: np.ndarray  # uint64
    colors: np.ndarray  # float32 (capacity, 48), see _decode
    norms: np.ndarray  # float32 |colors|^2 per row
    has_color: np.ndarray  # bool
    owners: np.ndarray  # int32
    public: np.ndarray  # bool; copied on change
    alive: np.ndarray  # bool; copied on change (False = removed, awaiting compaction)

    @classmethod
    def empty(cls, capacity: int = _MIN_CAPACITY) -> _Snapshot:
        return cls(
            size=0,
            keys=[],
            hashes=np.zeros(capacity, np.uint64),
            colors=np.zeros((capacity, _DIMS), np.float32),
            norms=np.zeros(capacity, np.float32),
            has_color=np.zeros(capacity, bool),
            owners=np.zeros(capacity, np.int32),
            public=np.zeros(capacity, bool),
            alive=np.zeros(capacity, bool),
        )

    @property
    def capacity(self) -> int:
        return len(self.hashes)


class SimilarityIndex:
    """Signatures of every image, for nearest-neighbour search and near-duplicate grouping.

    Keys are the images' public ids. All methods are thread-safe; queries take no lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snap = _Snapshot.empty()
        self._slots: dict[str, int] = {}  # key -> slot in the current snapshot (writers only)
        self._dead = 0

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, key: object) -> bool:
        return key in self._slots

    # ---- writing ------------------------------------------------------------------------------

    def load(self, rows: Iterable[Entry | tuple[str, int, bool, int, bytes]]) -> None:
        """Replace the whole contents in one go (start-up, from the database)."""
        latest = {row[0]: Entry(*row) for row in rows}  # a repeated key: the last row wins
        entries = list(latest.values())
        n = len(entries)
        snap = _Snapshot.empty(max(_MIN_CAPACITY, n + n // 2))
        if n:
            snap.hashes[:n] = np.array([e.dhash & _MASK64 for e in entries], dtype=np.uint64)
            snap.owners[:n] = [e.owner_id for e in entries]
            snap.public[:n] = [bool(e.public) for e in entries]
            snap.alive[:n] = True
            signed = [i for i, e in enumerate(entries) if e.signature]
            if signed:
                colors = _decode(b''.join(entries[i].signature for i in signed))
                snap.colors[signed] = colors
                snap.norms[signed] = np.einsum('...j,...j->...', colors, colors)
                snap.has_color[signed] = True
            snap.keys.extend(e.key for e in entries)
        with self._lock:
            self._snap = replace(snap, size=n)
            self._slots = {e.key: i for i, e in enumerate(entries)}
            self._dead = 0

    def add(self, key: str, owner_id: int, public: bool, dhash: int, signature: bytes) -> None:
        """Add an image, or replace the row of a key that is already there."""
        colors = _decode(signature) if signature else None
        with self._lock:
            if key in self._slots:
                self._remove_locked(key)
            snap = self._snap
            if snap.size == snap.capacity:
                snap = self._grown(snap)
            i = snap.size
            snap.hashes[i] = _unsigned(dhash)
            snap.owners[i] = owner_id
            snap.public[i] = public
            snap.alive[i] = True
            snap.has_color[i] = colors is not None
            snap.colors[i] = 0 if colors is None else colors
            snap.norms[i] = 0 if colors is None else float(colors @ colors)
            snap.keys.append(key)
            self._slots[key] = i
            self._snap = replace(snap, size=i + 1)

    def remove(self, key: str) -> bool:
        """Forget an image; False if it was not there."""
        with self._lock:
            if key not in self._slots:
                return False
            self._remove_locked(key)
            if self._dead >= _COMPACT_MIN_DEAD and self._dead * 4 >= self._snap.size:
                self._compact_locked()
            return True

    def set_visibility(self, key: str, public: bool) -> bool:
        """Make an image public or private; False if it is not in the index."""
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                return False
            snap = self._snap
            if bool(snap.public[slot]) != public:
                flags = snap.public.copy()
                flags[slot] = public
                self._snap = replace(snap, public=flags)
            return True

    def _remove_locked(self, key: str) -> None:
        slot = self._slots.pop(key)
        snap = self._snap
        alive = snap.alive.copy()
        alive[slot] = False
        self._snap = replace(snap, alive=alive)
        self._dead += 1

    def _grown(self, snap: _Snapshot) -> _Snapshot:
        """The same rows in arrays 1.5x as big (old snapshots keep their own arrays)."""
        bigger = _Snapshot.empty(max(_MIN_CAPACITY, snap.capacity + snap.capacity // 2))
        n = snap.size
        for name in _COLUMNS:
            getattr(bigger, name)[:n] = getattr(snap, name)[:n]
        bigger.keys.extend(snap.keys[:n])
        return replace(bigger, size=n)

    def _compact_locked(self) -> None:
        snap = self._snap
        live = np.flatnonzero(snap.alive[: snap.size])
        n = len(live)
        fresh = _Snapshot.empty(max(_MIN_CAPACITY, n + n // 2))
        for name in _COLUMNS:
            getattr(fresh, name)[:n] = getattr(snap, name)[live]
        fresh.keys.extend(snap.keys[i] for i in live)
        self._snap = replace(fresh, size=n)
        self._slots = {key: i for i, key in enumerate(fresh.keys)}
        self._dead = 0

    # ---- reading ------------------------------------------------------------------------------

    def nearest(
        self,
        query_dhash: int,
        query_signature: bytes,
        *,
        viewer_id: int | None,
        limit: int,
        exclude: str | None = None,
        max_distance: float | None = None,
        own_only: bool = False,
        turned: Sequence[tuple[int, bytes]] = (),
    ) -> list[tuple[str, float]]:
        """The closest images the viewer may see, closest first, as (key, distance).

        Only public images and the viewer's own ever take part (own_only: just the viewer's,
        e.g. for "looks like one of yours" at upload). exclude leaves out one key (the image
        itself for "more like this"); max_distance drops anything further (e.g. the
        near-duplicate threshold). `turned`: the query's signals in its other orientations
        (repo.imaging.turned_signals); a row's distance is then the smallest over all of them,
        so rotated and mirrored copies are found too. Ties go to the image added first.
        """
        snap = self._snap
        n = snap.size
        if limit <= 0 or n == 0 or (own_only and viewer_id is None):
            return []
        alive = snap.alive[:n]
        if own_only:
            allowed = alive & (snap.owners[:n] == viewer_id)
        else:
            allowed = alive & snap.public[:n]
            if viewer_id is not None:
                allowed |= alive & (snap.owners[:n] == viewer_id)
        rows = np.flatnonzero(allowed)
        want = min(limit + (exclude is not None), len(rows))
        if want == 0:
            return []
        queries = [(query_dhash, query_signature), *(turned if query_signature else ())]
        rows, dist = _closest(snap, rows, queries, want, max_distance)
        order = np.lexsort((rows, dist))[:want]  # by distance, then the image added first
        found = [(snap.keys[rows[i]], round(float(dist[i]), 2)) for i in order]
        return [(key, d) for key, d in found if key != exclude][:limit]

    def near_duplicate_groups(self, owner_id: int) -> list[list[str]]:
        """Groups (of 2 or more) of the owner's own images linked by near-duplicate pairs.

        Linking is transitive (A~B and B~C put A, B and C together). Members are in the order
        they were added; groups are ordered by their first member.
        """
        snap = self._snap
        n = snap.size
        rows = np.flatnonzero(snap.alive[:n] & (snap.owners[:n] == owner_id))
        pairs = _near_pairs(snap, rows)
        if not len(pairs):
            return []
        parent = list(range(len(rows)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for a, b in pairs.tolist():
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        groups: dict[int, list[str]] = {}
        for i in sorted({int(i) for i in pairs.ravel()}):
            groups.setdefault(find(i), []).append(snap.keys[rows[i]])
        return [groups[root] for root in sorted(groups)]


def _closest(
    snap: _Snapshot,
    rows: np.ndarray,
    queries: Sequence[tuple[int, bytes]],
    want: int,
    max_distance: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows that may be among the `want` closest (all ties included), with exact distances:
    for each row the smallest over the queries (one picture in several orientations).

    One pass over every row: XOR + popcount for the bits, and the colour term from a single
    matrix product (|c - q|^2 = |c|^2 - 2 c.q + |q|^2, with |c|^2 stored). That form carries
    float32 rounding, bounded by `slack`; the few rows that could be among the best within
    that bound are then scored exactly. With several queries, the first one's distances bound
    the cutoff from above and the bits alone bound each row from below, so only the rows that
    pass get the colour term for every query.
    """
    hashes = np.array([_unsigned(d) for d, _ in queries], dtype=np.uint64)
    # The query as it is, then turned: each other orientation starts TURN_PENALTY further away.
    offsets = np.full(len(queries), TURN_PENALTY, np.float32)
    offsets[0] = 0
    if not queries[0][1]:
        bits = np.bitwise_count(snap.hashes[rows, None] ^ hashes[None, :])
        dist = (bits * np.float32(DHASH_ONLY_SCALE) + offsets[None, :]).min(axis=1)
        cutoff = np.partition(dist, want - 1)[want - 1]
        if max_distance is not None:
            cutoff = min(cutoff, max_distance)
        keep = dist <= cutoff
        return rows[keep], dist[keep]
    query = _decode(b''.join(sig for _, sig in queries)).reshape(len(queries), _DIMS)
    qq = np.einsum('ij,ij->i', query, query)
    n = snap.size
    # |error of squared| <= _ROUNDING * (|c|^2 + |q|^2), and |sqrt(x) - sqrt(y)| <= sqrt(|x - y|)
    top = float(snap.norms[:n].max()) + float(qq.max())
    slack = COLOR_WEIGHT * math.sqrt(_ROUNDING * top / _CELLS)
    if len(queries) > 1:
        first = _approx(snap, rows, hashes[:1], query[:1], qq[:1], offsets[:1])
        bound = np.partition(first, want - 1)[want - 1] + 2 * slack
        if max_distance is not None:
            bound = min(bound, max_distance + slack)
        bits = np.bitwise_count(snap.hashes[rows, None] ^ hashes[None, :])
        rows = rows[(bits + offsets[None, :]).min(axis=1) <= bound]
        if not len(rows):
            return rows, np.empty(0, np.float32)
        want = min(want, len(rows))  # fewer when max_distance is what bounds them
    approx = _approx(snap, rows, hashes, query, qq, offsets)
    cutoff = np.partition(approx, want - 1)[want - 1] + 2 * slack
    if max_distance is not None:
        cutoff = min(cutoff, max_distance + slack)
    maybe = rows[approx <= cutoff]
    dist = _scored(snap, maybe, hashes, query, offsets)
    if max_distance is not None:
        keep = dist <= max_distance
        maybe, dist = maybe[keep], dist[keep]
    return maybe, dist


def _approx(
    snap: _Snapshot,
    rows: np.ndarray,
    hashes: np.ndarray,
    query: np.ndarray,
    qq: np.ndarray,
    offsets: np.ndarray,
) -> np.ndarray:
    """Distances of rows to the nearest query through |c|^2 - 2 c.q + |q|^2 (see _closest)."""
    bits = np.bitwise_count(snap.hashes[rows, None] ^ hashes[None, :]).astype(np.float32)
    if len(rows) * 4 > snap.size:  # most rows: one product over the block beats gathering
        dots = (snap.colors[: snap.size] @ query.T)[rows]
    else:
        dots = snap.colors[rows] @ query.T
    squared = snap.norms[rows, None] - 2 * dots + qq[None, :]
    rms = np.sqrt(np.maximum(squared, 0) / _CELLS)
    has_color = snap.has_color[rows, None]
    dist = np.where(has_color, bits + COLOR_WEIGHT * rms, bits * DHASH_ONLY_SCALE)
    return (dist + offsets[None, :]).min(axis=1)


def _scored(
    snap: _Snapshot, rows: np.ndarray, hashes: np.ndarray, queries: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Exact distances of rows to the nearest of the queries (dHashes and decoded colours)."""
    bits = np.bitwise_count(snap.hashes[rows, None] ^ hashes[None, :]).astype(np.float32)
    diff = snap.colors[rows, None, :] - queries[None, :, :]
    rms = np.sqrt(np.einsum('ijk,ijk->ij', diff, diff) / _CELLS)
    has_color = snap.has_color[rows, None]
    dist = np.where(has_color, bits + COLOR_WEIGHT * rms, bits * DHASH_ONLY_SCALE)
    return (dist + offsets[None, :]).min(axis=1)


def _near_pairs(snap: _Snapshot, rows: np.ndarray) -> np.ndarray:
    """Index pairs (i < j, positions in rows) within NEAR_DUPLICATE_DISTANCE, as an (k, 2) array.

    Blocks of rows against all later rows: the dHash bits alone are a lower bound of the
    distance, so only pairs within the threshold on bits get the colour term.
    """
    m = len(rows)
    hashes = snap.hashes[rows]
    colors = snap.colors[rows]
    has_color = snap.has_color[rows]
    found: list[np.ndarray] = []
    block = max(1, _PAIR_BLOCK // max(m, 1))
    for start in range(0, m, block):
        stop = min(m, start + block)
        bits = np.bitwise_count(hashes[start:stop, None] ^ hashes[None, start:])
        i, j = np.nonzero(bits <= NEAR_DUPLICATE_DISTANCE)
        i, j = i + start, j + start
        later = j > i
        i, j = i[later], j[later]
        if not len(i):
            continue
        b = bits[i - start, j - start].astype(np.float32)
        diff = colors[i] - colors[j]
        rms = np.sqrt(np.einsum('ij,ij->i', diff, diff) / _CELLS)
        both = has_color[i] & has_color[j]
        dist = np.where(both, b + COLOR_WEIGHT * rms, b * DHASH_ONLY_SCALE)
        near = dist <= NEAR_DUPLICATE_DISTANCE
        found.append(np.stack([i[near], j[near]], axis=1))
    return np.concatenate(found) if found else np.empty((0, 2), np.int64)


__all__ = [
    'COLOR_WEIGHT',
    'DHASH_ONLY_SCALE',
    'NEAR_DUPLICATE_DISTANCE',
    'SIMILAR_DISTANCE',
    'TURN_PENALTY',
    'Entry',
    'SimilarityIndex',
    'distance',
    'is_near_duplicate',
]
