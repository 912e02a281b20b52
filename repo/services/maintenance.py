"""Keeping the library whole: the consistency check (and its sweep), and the search index."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from repo.blobs.staging import Staging
from repo.blobs.store import BlobStore, is_original_key, keys_of, original_key, rendition_key
from repo.core import policy
from repo.core.actor import Actor

if TYPE_CHECKING:  # opened on first use: a command that never indexes imports no Whoosh
    from repo.jobs.index_feed import IndexFeed

DEFAULT_GRACE_S = 3600.0


@dataclass
class CheckReport:
    rows_without_blobs: list[str] = field(default_factory=list)  # image ids
    blobs_without_rows: list[str] = field(default_factory=list)  # sha256
    stale_tmp_files: list[str] = field(default_factory=list)  # file names in tmp/
    pending_outbox: int = 0
    unencrypted_blobs: list[str] = field(default_factory=list)  # with encryption on
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
            or self.unencrypted_blobs
        )

    def lines(self) -> list[str]:
        out = [
            f'rows without blobs:  {len(self.rows_without_blobs)}',
            f'blobs without rows:  {len(self.blobs_without_rows)} (older than the grace period)',
            f'stale tmp files:     {len(self.stale_tmp_files)}',
            f'pending index work:  {self.pending_outbox}',
        ]
        if self.unencrypted_blobs:
            out.append(
                f'unencrypted blobs:   {len(self.unencrypted_blobs)} '
                '(run `shoebox encrypt-existing`)'
            )
        out += [f'  missing blob for image {i}' for i in self.rows_without_blobs[:20]]
        if self.removed_blobs or self.removed_tmp_files or self.replayed_outbox:
            out.append(
                f'repaired: removed {self.removed_blobs} orphan blobs and '
                f'{self.removed_tmp_files} tmp files; index outbox replayed'
            )
        return out


class MaintenanceService:
    def __init__(
        self,
        uow: Callable[[], Any],
        blobs: BlobStore,
        staging: Staging,
        feed: Callable[[], IndexFeed],
        plaintext: Callable[[], list[str] | None] = lambda: None,
    ) -> None:
        self.uow = uow
        self.plaintext = plaintext  # blobs not encrypted yet, when encryption is on
        self.blobs = blobs
        self.staging = staging
        self._feed = feed

    def wait_for_index(self, actor: Actor, timeout: float = 5.0) -> bool:
        """Block until index changes made so far are searchable (tests, CLI)."""
        return self._feed().worker.wait_idle(timeout)

    def reindex(self, actor: Actor) -> int:
        """Rebuild the search index from the database; returns the number of images indexed."""
        policy.require_admin(actor)
        return self._feed().rebuild()

    def check(
        self, actor: Actor, *, repair: bool = False, grace_s: float = DEFAULT_GRACE_S
    ) -> CheckReport:
        """Compare rows and blobs. With repair, sweep orphans older than `grace_s` seconds and
        replay the index work. The grace period protects uploads in flight: their blobs exist
        a moment before their row."""
        policy.require_admin(actor)
        report = CheckReport()
        with self.uow() as tx:
            known = tx.images.all_ids_and_shas()
        referenced = set(known.values())
        for image_id, sha in known.items():
            thumb = rendition_key(sha, 'thumb')
            if self.blobs.stat(original_key(sha)) is None or self.blobs.stat(thumb) is None:
                report.rows_without_blobs.append(image_id)
        cutoff = time.time() - grace_s
        orphans: dict[str, None] = {}  # by content, renditions left without their original too
        for stat in self.blobs.list():
            sha = stat.key if is_original_key(stat.key) else stat.key.split('.', 1)[0]
            if sha not in referenced and stat.mtime < cutoff:
                orphans[sha] = None
        report.blobs_without_rows = list(orphans)
        report.stale_tmp_files = [p.name for p in self.staging.stale(grace_s)]
        report.unencrypted_blobs = self.plaintext() or []
        feed = self._feed()
        report.pending_outbox = feed.pending()
        if repair:
            for sha in report.blobs_without_rows:
                with self.uow() as tx:  # re-check under the content lock: an upload may claim it
                    tx.lock_content(sha)
                    if not tx.images.sha_in_use(sha):
                        for key in keys_of(sha):
                            self.blobs.delete(key)
                        report.removed_blobs += 1
            for path in self.staging.stale(grace_s):
                path.unlink(missing_ok=True)
                report.removed_tmp_files += 1
            if report.pending_outbox:
                feed.worker.notify()
                report.replayed_outbox = feed.worker.wait_idle(timeout=30)
        return report
