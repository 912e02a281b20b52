"""Backup, verify and restore of the whole instance, while it serves.

A backup folder (DEST) holds `shoebox.db` (a consistent snapshot: repo.db.snapshot), every blob
that snapshot refers to under `blobs/ab/cd/<key>` (as stored: encrypted blobs stay encrypted),
and `manifest.json` with the sha256 and size of each file. It is incremental: a blob already in
DEST under its key (keys name immutable content) is not copied again, and its hash is taken
from the previous manifest; blobs no longer referred to are removed after the new manifest is
in place. An upload committed after the snapshot is simply not in it; an image deleted (with
its bytes) while the blobs were being copied is dropped from the snapshot, so a restore is
always whole: `shoebox check` finds nothing missing and nothing extra.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from repo.blobs.store import BlobMissing, BlobStore, keys_of, original_key
from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import Conflict, Invalid
from repo.db.snapshot import drop_images_of, shas_in
from repo.db.tables import utcnow

jobs = logging.getLogger('shoebox.jobs')
MANIFEST = 'manifest.json'
DATABASE = 'shoebox.db'
BLOBS = 'blobs'
MANIFEST_VERSION = 1
CHUNK = 1 << 20

Progress = Callable[[int, int, str], None]  # done, total, what


@dataclass
class BackupReport:
    dest: Path
    images: int = 0
    blobs: int = 0
    copied: int = 0
    bytes_copied: int = 0
    reused: int = 0
    removed: int = 0
    dropped_images: int = 0

    def lines(self) -> list[str]:
        return [
            f'backup in {self.dest}',
            f'images:          {self.images}',
            f'blobs:           {self.blobs} ({self.copied} copied, {self.reused} already there)',
            f'bytes copied:    {self.bytes_copied}',
            f'old blobs gone:  {self.removed}',
        ] + (
            [f'dropped {self.dropped_images} images deleted meanwhile']
            if self.dropped_images
            else []
        )


@dataclass
class VerifyReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.damaged)

    def lines(self) -> list[str]:
        out = [f'checked {self.checked} files', f'missing: {len(self.missing)}']
        out += [f'  missing {name}' for name in self.missing[:20]]
        out.append(f'damaged: {len(self.damaged)}')
        out += [f'  damaged {name}' for name in self.damaged[:20]]
        return out


def blob_path(root: Path, key: str) -> Path:
    if not key or '/' in key or key.startswith('.') or len(key) < 4:
        raise Invalid(f'bad blob key in the manifest: {key!r}')
    return root / BLOBS / key[:2] / key[2:4] / key


def hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open('rb') as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsynced_replace(tmp: Path, target: Path) -> None:
    with tmp.open('rb+') as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def read_manifest(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / MANIFEST).read_text())
    except FileNotFoundError:
        raise Invalid(f'{root} holds no backup ({MANIFEST} is missing)') from None
    except ValueError:
        raise Invalid(f'{root / MANIFEST} is damaged (not JSON)') from None
    if data.get('version') != MANIFEST_VERSION or not isinstance(data.get('blobs'), dict):
        raise Invalid(f'{root / MANIFEST} is not a Shoebox backup manifest')
    return data


def _tmp_beside(target: Path) -> Path:
    return target.with_name(f'.{target.name}.{secrets.token_hex(4)}.tmp')


class BackupService:
    def __init__(
        self,
        snapshot: Callable[[Path], None],
        blobs: BlobStore,
        db_path: Path,
        tmp_dir: Path,
        *,
        stored_name: Callable[[str], str] = lambda key: key,
        key_check_file: Path | None = None,
    ) -> None:
        self.snapshot = snapshot  # writes a consistent copy of the live database
        self.blobs = blobs  # the stored bytes as they are (encrypted ones stay so)
        self.db_path = db_path
        self.tmp_dir = tmp_dir
        self.stored_name = stored_name  # a blob key -> its file name in `blobs`
        self.key_check_file = key_check_file  # copied along: tells a wrong key after restore

    # ---- backup ---------------------------------------------------------------------------

    def backup(self, actor: Actor, dest: Path, on_progress: Progress | None = None) -> BackupReport:
        policy.require_admin(actor)
        dest.mkdir(parents=True, exist_ok=True)
        report = BackupReport(dest)
        try:
            previous = read_manifest(dest)['blobs']
        except Invalid:
            previous = {}
        db_tmp = _tmp_beside(dest / DATABASE)
        try:
            self.snapshot(db_tmp)
            shas = shas_in(db_tmp)
            listed: dict[str, dict[str, Any]] = {}
            gone: list[str] = []
            for done, sha in enumerate(shas, 1):
                entries = self._copy_content(dest, sha, previous, report)
                if entries is None:
                    gone.append(sha)
                else:
                    listed.update(entries)
                if on_progress is not None:
                    on_progress(done, len(shas), sha)
            report.dropped_images = drop_images_of(db_tmp, gone)
            report.images = len(shas) - len(gone)
            db_sha, db_size = hash_file(db_tmp)
            manifest = {
                'version': MANIFEST_VERSION,
                'created_at': utcnow().isoformat(),
                'database': {'file': DATABASE, 'sha256': db_sha, 'size': db_size},
                'blobs': listed,
                'encryption_check': self._key_check(),
            }
            manifest_tmp = _tmp_beside(dest / MANIFEST)
            manifest_tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
            _fsynced_replace(db_tmp, dest / DATABASE)
            _fsynced_replace(manifest_tmp, dest / MANIFEST)
        finally:
            db_tmp.unlink(missing_ok=True)
        report.blobs = len(listed)
        report.removed = self._prune(dest, listed)
        jobs.info(
            'backup: %d images, %d blobs (%d copied, %d bytes)',
            report.images, report.blobs, report.copied, report.bytes_copied,
            extra={'job': 'backup'},
        )  # fmt: skip
        return report

    def _copy_content(
        self, dest: Path, sha: str, previous: dict[str, Any], report: BackupReport
    ) -> dict[str, dict[str, Any]] | None:
        """The original and renditions of `sha` into DEST; None when the original is gone
        (its image was deleted after the snapshot). A missing rendition is skipped (a preview
        is made on first view)."""
        entries: dict[str, dict[str, Any]] = {}
        for logical in keys_of(sha):
            key = self.stored_name(logical)
            target = blob_path(dest, key)
            known = previous.get(key)
            stat = self.blobs.stat(key)
            if stat is None:
                if logical == original_key(sha):
                    return None
                continue
            if known and target.exists() and target.stat().st_size == known.get('size'):
                entries[key] = known
                report.reused += 1
                continue
            try:
                entries[key] = self._copy_blob(key, target)
            except BlobMissing:
                if logical == original_key(sha):
                    return None
                continue
            report.copied += 1
            report.bytes_copied += entries[key]['size']
        return entries

    def _key_check(self) -> str:
        if self.key_check_file is None or not self.key_check_file.exists():
            return ''
        return self.key_check_file.read_text().strip()

    def _copy_blob(self, key: str, target: Path) -> dict[str, Any]:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmp_beside(target)
        digest, size = hashlib.sha256(), 0
        try:
            with self.blobs.open(key) as src, tmp.open('wb') as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return {'sha256': digest.hexdigest(), 'size': size}

    @staticmethod
    def _prune(dest: Path, listed: dict[str, Any]) -> int:
        removed = 0
        for path in (dest / BLOBS).glob('??/??/*'):
            if path.name not in listed:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    # ---- verify ---------------------------------------------------------------------------

    def verify(self, actor: Actor, dest: Path, on_progress: Progress | None = None) -> VerifyReport:
        """Re-hash every file the manifest lists."""
        policy.require_admin(actor)
        manifest = read_manifest(dest)
        files = [(DATABASE, dest / DATABASE, manifest['database'])]
        files += [(key, blob_path(dest, key), entry) for key, entry in manifest['blobs'].items()]
        report = VerifyReport()
        for done, (name, path, entry) in enumerate(files, 1):
            report.checked += 1
            try:
                sha, size = hash_file(path)
            except FileNotFoundError:
                report.missing.append(name)
            else:
                if sha != entry.get('sha256') or size != entry.get('size'):
                    report.damaged.append(name)
            if on_progress is not None:
                on_progress(done, len(files), name)
        jobs.info(
            'backup verify: %d files, %d missing, %d damaged',
            report.checked, len(report.missing), len(report.damaged),
            extra={'job': 'verify'},
        )  # fmt: skip
        return report

    # ---- restore --------------------------------------------------------------------------

    def restore(self, actor: Actor, source: Path, on_progress: Progress | None = None) -> int:
        """Fill this (empty) data folder from the backup at `source`; returns the number of
        blobs restored. Verifies first: a damaged backup is refused before anything is
        written. The caller rebuilds the search index afterwards."""
        policy.require_admin(actor)
        data_dir = self.db_path.parent
        if any(self._occupied(data_dir)):
            raise Conflict(f'{data_dir} is not empty: restore only into a new, empty folder')
        checked = self.verify(actor, source)
        if not checked.ok:
            raise Invalid(
                f'the backup at {source} fails verification '
                f'({len(checked.missing)} missing, {len(checked.damaged)} damaged files)'
            )
        manifest = read_manifest(source)
        check = str(manifest.get('encryption_check') or '')
        if check and self.key_check_file is not None:
            mine = self._key_check()
            if mine and mine != check:
                raise Invalid('the backup was encrypted with another key than the one set')
            self.key_check_file.write_text(check + '\n')
        db_tmp = _tmp_beside(self.db_path)
        shutil.copyfile(source / DATABASE, db_tmp)
        _fsynced_replace(db_tmp, self.db_path)
        keys = list(manifest['blobs'])
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        for done, key in enumerate(keys, 1):
            staged = self.tmp_dir / f'restore-{secrets.token_hex(6)}'
            try:
                shutil.copyfile(blob_path(source, key), staged)
                with staged.open('rb+') as fh:
                    os.fsync(fh.fileno())
                self.blobs.put(key, staged)
            finally:
                staged.unlink(missing_ok=True)
            if on_progress is not None:
                on_progress(done, len(keys), key)
        jobs.info('restore: %d blobs', len(keys), extra={'job': 'restore'})
        return len(keys)

    def _occupied(self, data_dir: Path) -> Iterator[Path]:
        """What is in the folder besides the empty tmp/ and blobs/ made on start."""
        if not data_dir.exists():
            return
        made_on_start = {self.tmp_dir.name, BLOBS}
        for path in data_dir.iterdir():
            if self.key_check_file is not None and path.name == self.key_check_file.name:
                continue  # written on start when a key is set
            if path.is_dir() and path.name in made_on_start and not any(path.iterdir()):
                continue
            yield path
