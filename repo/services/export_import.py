"""Import an export (`shoebox import-export IN.zip --user NAME`): its images into an account.

Each original is added as an upload (the usual checks, quotas and renditions), then what the
upload cannot know is set from images.json in one transaction per image: the dates, the
download permission, the exact tags (which of them Shoebox added itself), the price and stock
and the albums (by title, created in the account when missing). So the round trip
keeps everything images.json names, except the image ids, which are new.
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import Invalid
from repo.core.events import ImageChanged
from repo.core.schemas import ImageUpdate
from repo.core.uploads import AddResult, UploadItem
from repo.core.validation import check_tags
from repo.db.tables import new_image_id, utcnow
from repo.db.tables_sharing import Album
from repo.services.albums import check_album_title
from repo.services.export import EXPORT_FORMAT, MANIFEST
from repo.services.ingest import IngestService
from repo.services.shop_catalogue import apply_sale

log = logging.getLogger(__name__)


def _time(value: object) -> datetime | None:
    """A date from images.json; None for a missing or unreadable one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def read_manifest(archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    try:
        data = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise Invalid(f'Not a Shoebox export: no readable {MANIFEST}') from exc
    if not isinstance(data, dict) or data.get('format') != EXPORT_FORMAT:
        raise Invalid(f'Not a Shoebox export: {MANIFEST} is of another format')
    images = data.get('images')
    if not isinstance(images, list):
        raise Invalid(f'{MANIFEST} has no list of images')
    return images


class ImportExportService:
    def __init__(self, uow: Callable[[], Any], ingest: IngestService) -> None:
        self.uow = uow
        self.ingest = ingest

    def import_zip(
        self,
        actor: Actor,
        source: Path,
        owner: Actor,
        on_result: Callable[[AddResult], None] | None = None,
    ) -> list[AddResult]:
        """Server-side (an administrator, or the command line) into `owner`'s account."""
        policy.require_admin(actor)
        try:
            archive = zipfile.ZipFile(source)
        except (OSError, zipfile.BadZipFile) as exc:
            raise Invalid(f'Not a zip file: {source.name}') from exc
        with archive:
            entries = read_manifest(archive)
            waiting: deque[dict[str, Any]] = deque()

            def items() -> Iterator[UploadItem]:
                for entry in entries:
                    if not isinstance(entry, dict):
                        continue
                    try:
                        stream = archive.open(str(entry['file']))
                    except KeyError:
                        continue  # named in images.json, missing from the zip
                    waiting.append(entry)
                    yield UploadItem(
                        filename=str(entry.get('filename') or entry['file']),
                        stream=stream,
                        title=entry.get('title'),
                        description=entry.get('description') or '',
                        tags=[
                            t
                            for t in _strings(entry.get('tags'))
                            if t not in _strings(entry.get('auto_tags'))
                        ],
                        visibility=entry.get('visibility') or 'private',
                    )

            def settled(result: AddResult) -> None:
                entry = waiting.popleft()
                if result.image is not None:
                    self._restore_facts(result.image.id, entry)
                if on_result is not None:
                    on_result(result)

            return self.ingest.add_many(owner, items(), on_result=settled)

    def _restore_facts(self, image_id: str, entry: dict[str, Any]) -> None:
        auto = set(check_tags(_strings(entry.get('auto_tags'))))
        links = [(name, name in auto) for name in check_tags(_strings(entry.get('tags')))]
        facts: dict[str, Any] = {'allow_download': entry.get('allow_download') is True}
        for key in ('created_at', 'updated_at'):
            when = _time(entry.get(key))
            if when is not None:
                facts[key] = when
        taken = _time(entry.get('taken_at'))
        facts['taken_at'] = taken.replace(tzinfo=None) if taken else None  # EXIF time: naive
        facts['share_location'] = entry.get('share_location') is True
        with self.uow() as tx:
            tx.images.restore_facts(image_id, **facts)
            tx.tags.set_links(image_id, links)
            image = tx.images.get(image_id)
            if image is not None:
                _restore_sale(tx, image, entry)
                _restore_albums(tx, image, entry)
            tx.emit(
                ImageChanged(image_id, public=image is not None and image.visibility == 'public')
            )


def _restore_albums(tx: Any, image: Any, entry: dict[str, Any]) -> None:
    """The image back in each album images.json names, by title: the account's album of that
    title, or a new private one (an album title that is not valid is left out)."""
    for wanted in dict.fromkeys(_strings(entry.get('albums'))):
        try:
            title = check_album_title(wanted)
        except Invalid:
            log.warning('Left out the album %r of %s', wanted, image.id)
            continue
        album = tx.albums.owned_titled(image.owner_id, title)
        if album is None:
            now = utcnow()
            album = Album(
                id=new_image_id(), owner_id=image.owner_id, title=title, created_at=now,
                updated_at=now,
            )  # fmt: skip
            tx.albums.insert(album)
        tx.albums.add(album.id, [image.id])


def _restore_sale(tx: Any, image: Any, entry: dict[str, Any]) -> None:
    """The price and stock an exported image had, through the shop's own rule (only a public
    image is on sale); a malformed price or stock is left out, as a malformed entry is."""
    price, stock = entry.get('price_cents'), entry.get('stock')
    if price is None:
        return
    changes = {'price_cents': price, 'stock': stock}
    try:
        apply_sale(tx, image, ImageUpdate.model_validate(changes))
    except (Invalid, ValueError):
        log.warning('Left out the price of %s: %r', image.id, changes)
