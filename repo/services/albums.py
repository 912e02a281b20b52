"""Albums: an owner's ordered set of their own images, private or public.

An album's visibility never widens an image's: a visitor of a public album sees only the images
they could see anyway (counts and covers included). A share link of an album shows all of it
(repo.services.sharing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import ImageNotFound, Invalid, NotFound
from repo.core.schemas_sharing import AlbumCreate, AlbumDetail, AlbumPublic, AlbumUpdate
from repo.core.validation import check_description, check_title, check_visibility
from repo.db.tables import new_image_id, utcnow
from repo.db.tables_sharing import Album
from repo.services.list_paging import check_page

MAX_IDS = 1000


class AlbumNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__('Album not found')


class AlbumService:
    def __init__(self, uow: Callable[[], Any]) -> None:
        self.uow = uow

    def create(self, actor: Actor, wanted: AlbumCreate) -> AlbumPublic:
        owner_id = policy.require_share_write(actor)
        now = utcnow()
        album = Album(
            id=new_image_id(), owner_id=owner_id, title=check_album_title(wanted.title),
            description=check_description(wanted.description or ''),
            visibility=check_visibility(wanted.visibility).value, created_at=now, updated_at=now,
        )  # fmt: skip
        with self.uow() as tx:
            tx.albums.insert(album)
            return self._public(tx, actor, [album])[0]

    def list(self, actor: Actor, owner: str | None = None) -> list[AlbumPublic]:
        """The actor's albums and public ones (of `owner` only, when given)."""
        policy.require_read(actor)
        with self.uow() as tx:
            owner_id = None
            if owner:
                owner_id = tx.users.id_of(owner.strip().lower())
                if owner_id is None:
                    return []
            albums = tx.albums.visible(policy.view_scope(actor), owner_id)
            return self._public(tx, actor, albums)

    def get(self, actor: Actor, album_id: str, *, limit: int = 50, offset: int = 0) -> AlbumDetail:
        policy.require_read(actor)
        limit, offset = check_page(limit, offset)
        with self.uow() as tx:
            album = self._visible(tx, actor, album_id)
            rows, total = tx.albums.page(album.id, policy.view_scope(actor), limit, offset)
            public = self._public(tx, actor, [album])[0]
            return AlbumDetail(
                **public.model_dump(), items=tx.images.public(rows), total=total, limit=limit,
                offset=offset,
            )  # fmt: skip

    def update(self, actor: Actor, album_id: str, changes: AlbumUpdate) -> AlbumPublic:
        policy.require_share_write(actor)
        with self.uow() as tx:
            album = self._own(tx, actor, album_id)
            if changes.title is not None:
                album.title = check_album_title(changes.title)
            if changes.description is not None:
                album.description = check_description(changes.description)
            if changes.visibility is not None:
                album.visibility = check_visibility(changes.visibility).value
            members = tx.albums.member_ids(album.id)
            if changes.cover_image_id is not None:
                if changes.cover_image_id not in members:
                    raise ImageNotFound()
                album.cover_image_id = changes.cover_image_id
            if changes.order is not None:
                order = list(dict.fromkeys(changes.order))
                if any(i not in set(members) for i in order):
                    raise ImageNotFound()
                tx.albums.reorder(album.id, order)
            album.updated_at = utcnow()
            tx.albums.save(album)
            return self._public(tx, actor, [album])[0]

    def delete(self, actor: Actor, album_id: str) -> None:
        """The album goes (and its share links); its images stay."""
        policy.require_share_write(actor)
        with self.uow() as tx:
            album = self._own(tx, actor, album_id)
            tx.albums.delete(album.id)

    def add_images(self, actor: Actor, album_id: str, image_ids: Sequence[str]) -> AlbumPublic:
        """Your own images only (anything else is a 404 and nothing is added); newest first."""
        policy.require_share_write(actor)
        ids = list(dict.fromkeys(i for i in image_ids if isinstance(i, str)))
        if not 1 <= len(ids) <= MAX_IDS:
            raise Invalid(f'Add between 1 and {MAX_IDS} images')
        with self.uow() as tx:
            album = self._own(tx, actor, album_id)
            rows = tx.images.by_ids(ids)
            mine = {r.id for r in rows if policy.is_owner(actor, r.owner_id)}
            if any(i not in mine for i in ids):
                raise ImageNotFound()
            tx.albums.add(album.id, ids)
            album.updated_at = utcnow()
            tx.albums.save(album)
            return self._public(tx, actor, [album])[0]

    def remove_image(self, actor: Actor, album_id: str, image_id: str) -> None:
        policy.require_share_write(actor)
        with self.uow() as tx:
            album = self._own(tx, actor, album_id)
            if not tx.albums.remove(album.id, image_id):
                raise ImageNotFound()
            if album.cover_image_id == image_id:
                album.cover_image_id = None
            album.updated_at = utcnow()
            tx.albums.save(album)

    def albums_of_image(self, actor: Actor, image_id: str) -> list[str]:
        """Ids of the actor's albums that hold the image (for the image page)."""
        owner_id = policy.require_user(actor)
        with self.uow() as tx:
            mine = {a.id for a in tx.albums.visible(policy.view_scope(actor), owner_id)}
            return [a for a, _ in tx.albums.memberships(image_id) if a in mine]

    # ---- steps ----------------------------------------------------------------------------

    @staticmethod
    def _visible(tx: Any, actor: Actor, album_id: str) -> Album:
        album = tx.albums.get(album_id)
        if album is None or not policy.can_view_album(actor, album.owner_id, album.visibility):
            raise AlbumNotFound()
        return album

    @staticmethod
    def _own(tx: Any, actor: Actor, album_id: str) -> Album:
        album = tx.albums.get(album_id)
        if album is None or not policy.can_view_album(actor, album.owner_id, album.visibility):
            raise AlbumNotFound()
        policy.require_own(actor, album.owner_id, AlbumNotFound)
        return album

    @staticmethod
    def _public(tx: Any, actor: Actor, albums: list[Album]) -> list[AlbumPublic]:
        scope = policy.view_scope(actor)
        counts = tx.albums.counts([a.id for a in albums], scope)
        owners = {a.owner_id: tx.users.get(a.owner_id) for a in albums}
        out = []
        for album in albums:
            count, first = counts.get(album.id, (0, None))
            cover = album.cover_image_id
            if cover is None or tx.images.get(cover) is None or not _sees(tx, actor, cover):
                cover = first
            owner = owners.get(album.owner_id)
            out.append(
                AlbumPublic(
                    id=album.id, title=album.title, description=album.description,
                    visibility=album.visibility, owner=owner.username if owner else '',
                    cover_image_id=cover, count=count,
                    created_at=policy.as_utc(album.created_at),
                    updated_at=policy.as_utc(album.updated_at),
                )
            )  # fmt: skip
        return out


def _sees(tx: Any, actor: Actor, image_id: str) -> bool:
    image = tx.images.get(image_id)
    return image is not None and policy.can_view(actor, image.owner_id, image.visibility)


def check_album_title(title: str) -> str:
    try:
        return check_title(title or '')
    except Invalid as exc:
        raise Invalid(str(exc).replace('The title', 'The album title')) from None
