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

import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from repo.looks.signature_math import (
    COLOR_WEIGHT,
    COLUMNS,
    COMPACT_MIN_DEAD,
    DHASH_ONLY_SCALE,
    MASK64,
    MIN_CAPACITY,
    NEAR_DUPLICATE_DISTANCE,
    SIMILAR_DISTANCE,
    TURN_PENALTY,
    Snapshot,
    closest,
    decode,
    distance,
    near_pairs,
    unsigned,
)


class Entry(NamedTuple):
    """One image as the index needs it (what Library loads from the database)."""

    key: str
    owner_id: int
    public: bool
    dhash: int  # signed or unsigned 64-bit
    signature: bytes  # ImageFacts.signature; b'' if unknown


def is_near_duplicate(distance: float) -> bool:
    return distance <= NEAR_DUPLICATE_DISTANCE


class SimilarityIndex:
    """Signatures of every image, for nearest-neighbour search and near-duplicate grouping.

    Keys are the images' public ids. All methods are thread-safe; queries take no lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snap = Snapshot.empty()
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
        snap = Snapshot.empty(max(MIN_CAPACITY, n + n // 2))
        if n:
            snap.hashes[:n] = np.array([e.dhash & MASK64 for e in entries], dtype=np.uint64)
            snap.owners[:n] = [e.owner_id for e in entries]
            snap.public[:n] = [bool(e.public) for e in entries]
            snap.alive[:n] = True
            signed = [i for i, e in enumerate(entries) if e.signature]
            if signed:
                colors = decode(b''.join(entries[i].signature for i in signed))
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
        colors = decode(signature) if signature else None
        with self._lock:
            if key in self._slots:
                self._remove_locked(key)
            snap = self._snap
            if snap.size == snap.capacity:
                snap = self._grown(snap)
            i = snap.size
            snap.hashes[i] = unsigned(dhash)
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
            if self._dead >= COMPACT_MIN_DEAD and self._dead * 4 >= self._snap.size:
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

    def _grown(self, snap: Snapshot) -> Snapshot:
        """The same rows in arrays 1.5x as big (old snapshots keep their own arrays)."""
        bigger = Snapshot.empty(max(MIN_CAPACITY, snap.capacity + snap.capacity // 2))
        n = snap.size
        for name in COLUMNS:
            getattr(bigger, name)[:n] = getattr(snap, name)[:n]
        bigger.keys.extend(snap.keys[:n])
        return replace(bigger, size=n)

    def _compact_locked(self) -> None:
        snap = self._snap
        live = np.flatnonzero(snap.alive[: snap.size])
        n = len(live)
        fresh = Snapshot.empty(max(MIN_CAPACITY, n + n // 2))
        for name in COLUMNS:
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
        rows, dist = closest(snap, rows, queries, want, max_distance)
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
        pairs = near_pairs(snap, rows)
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
