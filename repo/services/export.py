"""Export: everything of one account as a zip, streamed as it is built.

The zip holds every original of the caller under its original file name (made unique where
names repeat, e.g. `beach (2).jpg`) and `images.json` with all the metadata. Only the caller's
own images are read (one query per batch, by owner), so an export never holds anyone else's
data; memory stays flat: images are read in batches of EXPORT_BATCH rows and the bytes in
chunks, and images.json is written row by row at the end (a second walk over the rows).

images.json names what Shoebox has today: title, description, tags (and which of them Shoebox
added itself), visibility, allow_download, the dates, the camera, the format and size, sha256.
Albums, prices and stock belong to features not built yet: they join EXPORT_VERSION 2.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from repo.blobs.store import BlobStore, original_key
from repo.core import policy
from repo.core.actor import Actor
from repo.core.schemas import ImagePublic
from repo.core.validation import clean_filename
from repo.db.tables import utcnow
from repo.services.export_zip import StreamingZip

jobs = logging.getLogger('shoebox.jobs')
EXPORT_FORMAT = 'shoebox-export'
EXPORT_VERSION = 1
MANIFEST = 'images.json'
EXPORT_BATCH = 200


@dataclass(frozen=True)
class ExportInfo:
    """What is known before the first byte: for the response's headers and a progress bar."""

    username: str
    images: int
    original_bytes: int


def entry_of(image: ImagePublic, file: str, albums: list[str] | None = None) -> dict[str, Any]:
    """One image in images.json (`albums`: the titles of the owner's albums holding it)."""
    return {
        'file': file,
        'id': image.id,
        'filename': image.filename,
        'title': image.title,
        'description': image.description,
        'tags': image.tags,
        'auto_tags': image.auto_tags,
        'visibility': image.visibility.value,
        'allow_download': image.allow_download,
        'created_at': image.created_at.isoformat(),
        'updated_at': image.updated_at.isoformat(),
        'taken_at': image.taken_at.isoformat() if image.taken_at else None,
        'camera': image.camera,
        'format': image.format,
        'width': image.width,
        'height': image.height,
        'size_bytes': image.size_bytes,
        'sha256': image.sha256,
        'colors': image.colors,
        'share_location': image.share_location,
        'price_cents': image.price_cents,
        'stock': image.stock,
        'albums': albums or [],
    }


class UniqueNames:
    """File names inside the zip: the original's, made unique (case-insensitively)."""

    def __init__(self, reserved: tuple[str, ...] = (MANIFEST,)) -> None:
        self.used = {name.lower() for name in reserved}

    def take(self, filename: str) -> str:
        name = clean_filename(filename).replace('/', '_')
        stem, dot, suffix = name.rpartition('.')
        if not dot or not stem:
            stem, suffix = name, ''
        candidate, n = name, 1
        while candidate.lower() in self.used:
            n += 1
            candidate = f'{stem} ({n}).{suffix}' if suffix else f'{stem} ({n})'
        self.used.add(candidate.lower())
        return candidate


class ExportService:
    def __init__(self, uow: Callable[[], Any], blobs: BlobStore) -> None:
        self.uow = uow
        self.blobs = blobs

    def info(self, actor: Actor) -> ExportInfo:
        """Checks the caller at once (401 before any byte is sent)."""
        owner_id = policy.require_export(actor)
        with self.uow() as tx:
            user = tx.users.get(owner_id)
            total_bytes, count = tx.account_admin.usage(owner_id)
        return ExportInfo(user.username if user else '', count, total_bytes)

    def stream(self, actor: Actor) -> Iterator[bytes]:
        """The zip's bytes. The access check runs when this is called, not at the first
        `next()`: a refused caller never gets a started response."""
        owner_id = policy.require_export(actor)
        return self._chunks(owner_id)

    def _batches(self, owner_id: int) -> Iterator[list[ImagePublic]]:
        after = ''
        while True:
            with self.uow() as tx:
                rows = tx.images.of_owner_after(owner_id, after, EXPORT_BATCH)
                if not rows:
                    return
                page = tx.images.public(rows)
            yield page
            after = rows[-1].id

    def _chunks(self, owner_id: int) -> Iterator[bytes]:
        archive = StreamingZip()
        names = UniqueNames()
        files: dict[str, str] = {}  # image id -> its name in the zip (ids and names only)
        for page in self._batches(owner_id):
            for image in page:
                if image.owner_id != owner_id:  # the query is by owner; never anyone else's
                    continue
                try:
                    source = self.blobs.open(original_key(image.sha256))
                except FileNotFoundError:
                    continue  # deleted while the export ran
                name = names.take(image.filename)
                files[image.id] = name
                with source:
                    yield from archive.file(name, source, image.created_at)
        yield from archive.text(MANIFEST, self._manifest(owner_id, files), utcnow())
        yield from archive.close()
        jobs.info('export of user %d: %d images', owner_id, len(files), extra={'job': 'export'})

    def _manifest(self, owner_id: int, files: dict[str, str]) -> Iterator[str]:
        with self.uow() as tx:
            user = tx.users.get(owner_id)
        head = {
            'format': EXPORT_FORMAT,
            'version': EXPORT_VERSION,
            'user': user.username if user else '',
            'exported_at': utcnow().isoformat(),
        }
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "images": [\n'
        first = True
        for page in self._batches(owner_id):
            with self.uow() as tx:
                albums = tx.albums.titles_by_image([image.id for image in page])
            for image in page:
                if image.id not in files:
                    continue
                sep = '' if first else ',\n'
                first = False
                yield sep + json.dumps(
                    entry_of(image, files[image.id], albums.get(image.id)), ensure_ascii=False
                )
        yield '\n]}\n'


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
