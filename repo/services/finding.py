"""Finding images: full-text search, images that look alike, duplicates, tags with counts."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from repo import imaging
from repo.blobs.staging import StagedFile
from repo.blobs.store import BlobMissing, BlobStore, rendition_key
from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import Invalid
from repo.core.schemas import ImagePage, ImagePublic, SimilarImage, SimilarPage, TagCount
from repo.core.timeline import SORTS
from repo.core.uploads import UploadItem
from repo.core.validation import check_tags, check_visibility
from repo.looks.cache import LooksCache
from repo.services.image_workers import ImageWorkers, Limits, rejection_error
from repo.services.images import visible_row
from repo.services.ingest import IngestService
from repo.services.list_paging import check_color, check_page
from repo.similarity import NEAR_DUPLICATE_DISTANCE, SIMILAR_DISTANCE
from search_index import SearchIndex

Source = str | os.PathLike[str] | bytes | BinaryIO | StagedFile
__all__ = ['NEAR_DUPLICATE_DISTANCE', 'SIMILAR_DISTANCE', 'FindingService']


class FindingService:
    def __init__(
        self,
        uow: Callable[[], Any],
        index: Callable[[], SearchIndex],
        blobs: BlobStore,
        looks: LooksCache,
        workers: ImageWorkers,
        ingest: IngestService,
        limits: Callable[[], Limits],
    ) -> None:
        self.uow = uow
        self._index = index  # opened on first search (it may have to be rebuilt first)
        self.blobs = blobs
        self.looks = looks
        self.workers = workers
        self.ingest = ingest
        self.limits = limits

    def search(
        self,
        actor: Actor,
        text: str,
        *,
        owner: str | None = None,
        visibility: str | None = None,
        tags: Sequence[str] = (),
        color: str | None = None,
        for_sale: bool | None = None,
        min_price: int | None = None,
        max_price: int | None = None,
        sort: str = 'relevance',
        limit: int = 50,
        offset: int = 0,
    ) -> ImagePage:
        """Full-text search through the index; every hit is re-checked against the database.
        The shop's filters (the index knows no prices) apply to the page of hits."""
        policy.require_read(actor)
        limit, offset = check_page(limit, offset)
        if sort not in (*SORTS, 'relevance'):
            raise Invalid(f'Sort must be one of relevance, {", ".join(SORTS)}, not "{sort}"')
        owner_id: int | None = None
        if owner:
            with self.uow() as tx:
                owner_id = tx.users.id_of(owner.strip().lower())
            if owner_id is None:
                return ImagePage(items=[], total=0, limit=limit, offset=offset)
        hits = self._index().search(
            text,
            viewer_id=actor.user_id,
            owner_id=owner_id,
            visibility=check_visibility(visibility).value if visibility else None,
            tags=check_tags(tags),
            color=check_color(color) if color else None,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        if not hits.ids:
            return ImagePage(
                items=[], total=hits.total, limit=limit, offset=offset, suggestion=hits.suggestion
            )
        with self.uow() as tx:
            # By primary key only: with the visibility OR in SQL, SQLite walks the visibility
            # and owner indexes instead (60 ms at 100k images); the same rule is applied here.
            rows = tx.images.by_ids(hits.ids)
            by_id = {r.id: r for r in rows if policy.can_view(actor, r.owner_id, r.visibility)}
            items = tx.images.public([by_id[i] for i in hits.ids if i in by_id])
        items = [i for i in items if _sale_matches(i, for_sale, min_price, max_price)]
        return ImagePage(
            items=items, total=hits.total, limit=limit, offset=offset, suggestion=hits.suggestion
        )

    def similar(self, actor: Actor, image_id: str, limit: int = 20) -> SimilarPage:
        """Images that look like this one (itself excluded) in any orientation, closest first,
        up to SIMILAR_DISTANCE."""
        policy.require_read(actor)
        limit, _ = check_page(limit, 0)
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
        turned = None
        thumb_key = rendition_key(image.sha256, 'thumb')
        with contextlib.suppress(BlobMissing), self.blobs.local_copy(thumb_key) as thumb:
            turned = imaging.turned_signals_of_file(thumb)
        found = self.looks.index.nearest(
            image.dhash,
            image.signature,
            viewer_id=actor.user_id,
            limit=limit,
            exclude=image.id,
            max_distance=SIMILAR_DISTANCE,
            turned=turned,
        )
        return self._similar_page(actor, found)

    def search_by_image(self, actor: Actor, source: Source, limit: int = 20) -> SimilarPage:
        """Images that look like the given picture in any orientation, closest first, up to
        SIMILAR_DISTANCE (the picture is checked as an upload would be, and not kept)."""
        policy.require_read(actor)
        limit, _ = check_page(limit, 0)
        if isinstance(source, StagedFile):
            staged = source
        else:
            item = UploadItem(filename='query')
            if isinstance(source, str | os.PathLike):
                item.path = Path(source)
            elif isinstance(source, bytes | bytearray):
                item.data = bytes(source)
            else:
                item.stream = source
            staged = self.ingest.stage_item(item)
        try:
            staged.finish()
            if staged.size == 0:
                raise Invalid('The file is empty')
            outcome = self.workers.submit(
                imaging.query_signature,
                str(staged.path),
                max_pixels=self.limits().max_pixels,
                thumb_size=self.limits().thumb_size,
            ).result()
        finally:
            staged.discard()
        if isinstance(outcome, imaging.ImageRejection):
            raise rejection_error(outcome)
        found = self.looks.index.nearest(
            outcome.dhash,
            outcome.signature,
            viewer_id=actor.user_id,
            limit=limit,
            max_distance=SIMILAR_DISTANCE,
            turned=outcome.turned,
        )
        return self._similar_page(actor, found)

    def _similar_page(self, actor: Actor, found: Sequence[tuple[str, float]]) -> SimilarPage:
        if not found:
            return SimilarPage(items=[], total=0)
        with self.uow() as tx:
            rows = tx.images.by_ids([k for k, _ in found])
            visible = {r.id: r for r in rows if policy.can_view(actor, r.owner_id, r.visibility)}
            ordered = [visible[k] for k, _ in found if k in visible]
            public = {p.id: p for p in tx.images.public(ordered)}
        items = [
            SimilarImage(image=public[k], distance=round(d, 2)) for k, d in found if k in public
        ]
        return SimilarPage(items=items, total=len(items))

    def duplicates(self, actor: Actor) -> list[list[ImagePublic]]:
        """Groups of the actor's own images that look like the same picture, largest first."""
        policy.require_read(actor)
        owner_id = policy.require_user(actor)
        groups = self.looks.index.near_duplicate_groups(owner_id)
        if not groups:
            return []
        with self.uow() as tx:
            wanted = [k for g in groups for k in g]
            rows = [r for r in tx.images.by_ids(wanted) if r.owner_id == owner_id]
            public = {p.id: p for p in tx.images.public(rows)}
        out = []
        for group in groups:
            members = sorted(
                (public[k] for k in group if k in public),
                key=lambda i: (-(i.width * i.height), -i.size_bytes, i.created_at),
            )
            if len(members) > 1:
                out.append(members)
        out.sort(key=lambda g: (-len(g), g[0].created_at))
        return out

    def tags(
        self,
        actor: Actor,
        *,
        sort: str = 'count',
        prefix: str | None = None,
        limit: int = 200,
    ) -> list[TagCount]:
        """Tags on images the actor may see, with how many such images carry each."""
        policy.require_read(actor)
        if sort not in ('count', 'name'):
            raise Invalid(f'Sort must be count or name, not "{sort}"')
        if not 1 <= limit <= 1000:
            raise Invalid('limit must be between 1 and 1000')
        wanted = prefix.strip().lower() if prefix and prefix.strip() else None
        with self.uow() as tx:
            rows = tx.tags.counts(
                policy.view_scope(actor), prefix=wanted, by_count=sort == 'count', limit=limit
            )
        return [TagCount(name=name, count=n) for name, n in rows]


def _sale_matches(
    image: ImagePublic, for_sale: bool | None, min_price: int | None, max_price: int | None
) -> bool:
    if min_price is not None or max_price is not None:
        for_sale = True
    if for_sale is not None and image.for_sale != for_sale:
        return False
    price = image.price_cents or 0
    return (min_price is None or price >= min_price) and (max_price is None or price <= max_price)
