"""The arithmetic of visual similarity: the weights and thresholds, decoding signatures, and the
vectorised passes over a snapshot of rows that repo.similarity.SimilarityIndex runs.

See repo/similarity.py for what a signature is and how the weights were chosen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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

CELLS = SIGNATURE_GRID * SIGNATURE_GRID
DIMS = SIGNATURE_BYTES
MASK64 = (1 << 64) - 1
MIN_CAPACITY = 1024
COMPACT_MIN_DEAD = 256  # compact when this many (and a quarter of the rows) are tombstones
_PAIR_BLOCK = 4_000_000  # pairwise comparisons per vectorised step in near_duplicate_groups
# A relative bound on float32 rounding in |c|^2 - 2 c.q + |q|^2 over 48 values (about 2x the
# worst case of 48 * 2^-24 per operation, summed over the three terms).
_ROUNDING = 1e-5
# Colours are stored relative to mid-grey (L* 50), which keeps the norms and their rounding small.
_CENTRE_L = 50.0


COLUMNS = ('hashes', 'colors', 'norms', 'has_color', 'owners', 'public', 'alive')


def distance(dhash_a: int, signature_a: bytes, dhash_b: int, signature_b: bytes) -> float:
    """The distance between two signatures, as nearest() computes it for each row."""
    bits = ((dhash_a ^ dhash_b) & MASK64).bit_count()
    if not signature_a or not signature_b:
        return bits * DHASH_ONLY_SCALE
    diff = decode(signature_a) - decode(signature_b)
    return bits + COLOR_WEIGHT * math.sqrt(float(diff @ diff) / CELLS)


def decode(signatures: bytes) -> np.ndarray:
    """Signature bytes -> float32 Lab values (L* - 50, a*, b*), centred on mid-grey.

    One signature gives shape (48,); several joined together give (count, 48).
    """
    if not signatures or len(signatures) % DIMS:
        raise ValueError(f'A signature has {DIMS} bytes, not {len(signatures)}')
    lab = np.frombuffer(signatures, dtype=np.uint8).astype(np.float32).reshape(-1, CELLS, 3)
    lab[..., 0] /= SIGNATURE_L_SCALE
    lab[..., 0] -= _CENTRE_L
    lab[..., 1:] -= SIGNATURE_AB_OFFSET
    flat = lab.reshape(-1, DIMS)
    return flat[0] if len(flat) == 1 else flat


def unsigned(dhash: int) -> np.uint64:
    return np.uint64(dhash & MASK64)


@dataclass(frozen=True)
class Snapshot:
    """One consistent state. Rows [0, size) are valid; arrays may have spare capacity after."""

    size: int
    keys: list[str]  # slot -> key; only appended to, so readers index below `size` safely
    hashes: np.ndarray  # uint64
    colors: np.ndarray  # float32 (capacity, 48), see decode
    norms: np.ndarray  # float32 |colors|^2 per row
    has_color: np.ndarray  # bool
    owners: np.ndarray  # int32
    public: np.ndarray  # bool; copied on change
    alive: np.ndarray  # bool; copied on change (False = removed, awaiting compaction)

    @classmethod
    def empty(cls, capacity: int = MIN_CAPACITY) -> Snapshot:
        return cls(
            size=0,
            keys=[],
            hashes=np.zeros(capacity, np.uint64),
            colors=np.zeros((capacity, DIMS), np.float32),
            norms=np.zeros(capacity, np.float32),
            has_color=np.zeros(capacity, bool),
            owners=np.zeros(capacity, np.int32),
            public=np.zeros(capacity, bool),
            alive=np.zeros(capacity, bool),
        )

    @property
    def capacity(self) -> int:
        return len(self.hashes)


def closest(
    snap: Snapshot,
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
    hashes = np.array([unsigned(d) for d, _ in queries], dtype=np.uint64)
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
    query = decode(b''.join(sig for _, sig in queries)).reshape(len(queries), DIMS)
    qq = np.einsum('ij,ij->i', query, query)
    n = snap.size
    # |error of squared| <= _ROUNDING * (|c|^2 + |q|^2), and |sqrt(x) - sqrt(y)| <= sqrt(|x - y|)
    top = float(snap.norms[:n].max()) + float(qq.max())
    slack = COLOR_WEIGHT * math.sqrt(_ROUNDING * top / CELLS)
    if len(queries) > 1:
        first = approx_distances(snap, rows, hashes[:1], query[:1], qq[:1], offsets[:1])
        bound = np.partition(first, want - 1)[want - 1] + 2 * slack
        if max_distance is not None:
            bound = min(bound, max_distance + slack)
        bits = np.bitwise_count(snap.hashes[rows, None] ^ hashes[None, :])
        rows = rows[(bits + offsets[None, :]).min(axis=1) <= bound]
        if not len(rows):
            return rows, np.empty(0, np.float32)
        want = min(want, len(rows))  # fewer when max_distance is what bounds them
    approx = approx_distances(snap, rows, hashes, query, qq, offsets)
    cutoff = np.partition(approx, want - 1)[want - 1] + 2 * slack
    if max_distance is not None:
        cutoff = min(cutoff, max_distance + slack)
    maybe = rows[approx <= cutoff]
    dist = exact_distances(snap, maybe, hashes, query, offsets)
    if max_distance is not None:
        keep = dist <= max_distance
        maybe, dist = maybe[keep], dist[keep]
    return maybe, dist


def approx_distances(
    snap: Snapshot,
    rows: np.ndarray,
    hashes: np.ndarray,
    query: np.ndarray,
    qq: np.ndarray,
    offsets: np.ndarray,
) -> np.ndarray:
    """Distances of rows to the nearest query through |c|^2 - 2 c.q + |q|^2 (see closest)."""
    bits = np.bitwise_count(snap.hashes[rows, None] ^ hashes[None, :]).astype(np.float32)
    if len(rows) * 4 > snap.size:  # most rows: one product over the block beats gathering
        dots = (snap.colors[: snap.size] @ query.T)[rows]
    else:
        dots = snap.colors[rows] @ query.T
    squared = snap.norms[rows, None] - 2 * dots + qq[None, :]
    rms = np.sqrt(np.maximum(squared, 0) / CELLS)
    has_color = snap.has_color[rows, None]
    dist = np.where(has_color, bits + COLOR_WEIGHT * rms, bits * DHASH_ONLY_SCALE)
    return (dist + offsets[None, :]).min(axis=1)


def exact_distances(
    snap: Snapshot, rows: np.ndarray, hashes: np.ndarray, queries: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Exact distances of rows to the nearest of the queries (dHashes and decoded colours)."""
    bits = np.bitwise_count(snap.hashes[rows, None] ^ hashes[None, :]).astype(np.float32)
    diff = snap.colors[rows, None, :] - queries[None, :, :]
    rms = np.sqrt(np.einsum('ijk,ijk->ij', diff, diff) / CELLS)
    has_color = snap.has_color[rows, None]
    dist = np.where(has_color, bits + COLOR_WEIGHT * rms, bits * DHASH_ONLY_SCALE)
    return (dist + offsets[None, :]).min(axis=1)


def near_pairs(snap: Snapshot, rows: np.ndarray) -> np.ndarray:
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
        rms = np.sqrt(np.einsum('ij,ij->i', diff, diff) / CELLS)
        both = has_color[i] & has_color[j]
        dist = np.where(both, b + COLOR_WEIGHT * rms, b * DHASH_ONLY_SCALE)
        near = dist <= NEAR_DUPLICATE_DISTANCE
        found.append(np.stack([i[near], j[near]], axis=1))
    return np.concatenate(found) if found else np.empty((0, 2), np.int64)
