"""Consistency check: what a crash or a hand edit may have left behind, and the sweep."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlmodel import Session, select

from repo.indexing import OutboxReader
from repo.models import Image
from repo.storage import BlobStore

DEFAULT_GRACE_S = 3600.0


@dataclass
class CheckReport:
    rows_without_blobs: list[str] = field(default_factory=list)  # image ids
    blobs_without_rows: list[str] = field(default_factory=list)  # sha256
    stale_tmp_files: list[str] = field(default_factory=list)  # file names in tmp/
    pending_outbox: int = 0
    removed_blobs: int = 0
    removed_tmp_files: int = 0
    replayed_outbox: bool = False

    @property
    def ok(self) -> bool:
        return not (
            self.rows_without_blobs
            or self.blobs_without_rows
            or self.stale_tmp_files
            or self.pending_outbox
        )

    def lines(self) -> list[str]:
        out = [
            f'rows without blobs:  {len(self.rows_without_blobs)}',
            f'blobs without rows:  {len(self.blobs_without_rows)} (older than the grace period)',
            f'stale tmp files:     {len(self.stale_tmp_files)}',
            f'pending index work:  {self.pending_outbox}',
        ]
        out += [f'  missing blob for image {i}' for i in self.rows_without_blobs[:20]]
        if self.removed_blobs or self.removed_tmp_files or self.replayed_outbox:
            out.append(
                f'repaired: removed {self.removed_blobs} orphan blobs and '
                f'{self.removed_tmp_files} tmp files; index outbox replayed'
            )
        return out


def run_check(
    engine, blobs: BlobStore, *, repair: bool = False, grace_s: float = DEFAULT_GRACE_S
) -> CheckReport:  # type: ignore[no-untyped-def]
    """Compare rows and files. With repair, sweep orphans older than `grace_s` seconds.

    The grace period protects uploads in flight: their blobs exist a moment before their row.
    """
    report = CheckReport()
    with Session(engine) as s:
        known = dict(s.exec(select(Image.id, Image.sha256)).all())
    referenced = set(known.values())
    for image_id, sha in known.items():
        if not blobs.has(sha):
            report.rows_without_blobs.append(image_id)
    cutoff = time.time() - grace_s
    for sha, mtime in blobs.iter_shas():
        if sha not in referenced and mtime < cutoff:
            report.blobs_without_rows.append(sha)
    report.stale_tmp_files = [p.name for p in blobs.iter_tmp(grace_s)]
    report.pending_outbox = OutboxReader(engine).pending_count()
    if repair:
        for sha in report.blobs_without_rows:
            with Session(engine) as s:  # re-check: an upload may have claimed it meanwhile
                if s.exec(select(Image.id).where(Image.sha256 == sha)).first() is None:
                    blobs.delete(sha)
                    report.removed_blobs += 1
        for path in blobs.iter_tmp(grace_s):
            path.unlink(missing_ok=True)
            report.removed_tmp_files += 1
    return report
