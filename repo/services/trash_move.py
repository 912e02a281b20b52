"""Moving an image to the trash, inside the transaction that deletes it (ImageService.delete).

Its own module so that the image service can use it without importing the trash service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from repo.core.events import ImageRemoved
from repo.db.tables import Image


def to_trash(tx: Any, image: Image, now: datetime) -> None:
    """Inside the deleting transaction: keep the row and what hangs on it, then remove it."""
    links = {
        'tags': tx.trash.tag_links(image.id),
        'albums': tx.albums.memberships(image.id),
        'covers': tx.albums.covered_by(image.id),
        'shares': tx.shares.memberships(image.id),
        'comments': [
            [c.author_id, c.text, c.created_at.isoformat()]
            for c, _ in tx.comments.of_image(image.id)
        ],
        'comments_enabled': tx.comments.enabled(image.id),
    }
    tx.trash.put(image, links, now)
    tx.images.delete(image)
    tx.emit(ImageRemoved(image.id, sha256=image.sha256))
