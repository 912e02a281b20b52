"""Share links: some images or one album, for people without an account, with an expiry, a
password, and whether the original may be downloaded and the camera facts shown.

The key in the link's URL is the only credential: at least 128 random bits, never logged. A
link that expired, was revoked or never existed is the same 404. A link's password is hashed
(argon2id); wrong ones are counted per link in the database (every process sees them), and more
than MAX_FAILURES within FAILURE_WINDOW_S is a 429. Unlocking gives a grant for a cookie: an
HMAC keyed by the password's hash, so a new password ends every grant of the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import ImageNotFound, Invalid, NotAuthenticated, NotFound, Throttled
from repo.core.schemas import ImagePublic
from repo.core.schemas_sharing import (
    ShareCreate,
    SharedView,
    SharePublic,
    ShareUpdate,
)
from repo.core.validation import clean_text
from repo.db.tables import new_image_id, utcnow
from repo.db.tables_sharing import ShareLink
from repo.services.images import BlobFile, ImageService
from repo.services.passwords import PasswordHashing

KEY_BYTES = 24  # 192 bits
MAX_IMAGES = 1000
MAX_LABEL = 200
MAX_PASSWORD = 200
MAX_EXPIRES_S = 10 * 366 * 24 * 3600
MAX_FAILURES = 10
FAILURE_WINDOW_S = 600


class ShareNotFound(NotFound):
    """Unknown, expired or revoked: one answer for all three."""

    def __init__(self) -> None:
        super().__init__('Share link not found')


class NeedsPassword(NotAuthenticated):
    challenge = 'X-Share-Password'

    def __init__(self, message: str = 'This link needs a password') -> None:
        super().__init__(message)


class SharingService:
    def __init__(
        self,
        uow: Callable[[], Any],
        images: ImageService,
        passwords: PasswordHashing,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uow = uow
        self.images = images
        self.passwords = passwords
        self.now = now

    # ---- the owner's side -----------------------------------------------------------------

    def create(self, actor: Actor, wanted: ShareCreate) -> SharePublic:
        owner_id = policy.require_share_write(actor)
        if (wanted.image_ids is None) == (wanted.album_id is None):
            raise Invalid('Give either "image_ids" or "album_id"')
        image_ids = list(dict.fromkeys(wanted.image_ids or []))
        if wanted.image_ids is not None and not 1 <= len(image_ids) <= MAX_IMAGES:
            raise Invalid(f'Share between 1 and {MAX_IMAGES} images')
        password_hash = self._hash(wanted.password)
        now = self.now()
        link = ShareLink(
            id=new_image_id(),
            key=secrets.token_urlsafe(KEY_BYTES),
            owner_id=owner_id,
            album_id=wanted.album_id,
            label=check_label(wanted.label),
            password_hash=password_hash,
            allow_download=bool(wanted.allow_download),
            show_metadata=bool(wanted.show_metadata),
            expires_at=expiry(now, wanted.expires_in),
            created_at=now,
        )
        with self.uow() as tx:
            if wanted.album_id is not None:
                album = tx.albums.get(wanted.album_id)
                if album is None or not policy.is_owner(actor, album.owner_id):
                    raise NotFound('Album not found')
            rows = tx.images.by_ids(image_ids)
            mine = {r.id for r in rows if policy.is_owner(actor, r.owner_id)}
            if any(i not in mine for i in image_ids):
                raise ImageNotFound()
            tx.shares.insert(link, image_ids)
            return self._public(link, image_ids)

    def list(self, actor: Actor) -> list[SharePublic]:
        owner_id = policy.require_user(actor)
        with self.uow() as tx:
            links = tx.shares.of_owner(owner_id)
            ids = tx.shares.image_ids([link.id for link in links])
            return [self._public(link, ids[link.id]) for link in links]

    def get(self, actor: Actor, share_id: str) -> SharePublic:
        policy.require_user(actor)
        with self.uow() as tx:
            link = self._own(tx, actor, share_id)
            return self._public(link, tx.shares.image_ids([link.id])[link.id])

    def update(self, actor: Actor, share_id: str, changes: ShareUpdate) -> SharePublic:
        policy.require_share_write(actor)
        password_hash = self._hash(changes.password) if changes.password is not None else None
        with self.uow() as tx:
            link = self._own(tx, actor, share_id)
            if changes.clear_expiry:
                link.expires_at = None
            elif changes.expires_in is not None:
                link.expires_at = expiry(self.now(), changes.expires_in)
            if changes.clear_password:
                link.password_hash = None
            elif password_hash is not None:
                link.password_hash = password_hash
            if changes.allow_download is not None:
                link.allow_download = changes.allow_download
            if changes.show_metadata is not None:
                link.show_metadata = changes.show_metadata
            if changes.label is not None:
                link.label = check_label(changes.label)
            tx.shares.save(link)
            return self._public(link, tx.shares.image_ids([link.id])[link.id])

    def revoke(self, actor: Actor, share_id: str) -> None:
        """The link stops working at once: its row goes."""
        policy.require_share_write(actor)
        with self.uow() as tx:
            link = self._own(tx, actor, share_id)
            tx.shares.delete(link.id)

    # ---- the visitor's side ---------------------------------------------------------------

    def open(
        self, key: str, *, password: str | None = None, grant: str | None = None,
        count_view: bool = True,
    ) -> SharedView:  # fmt: skip
        """What the link shows; each open counts as a view."""
        link = self._live(key, password, grant)
        with self.uow() as tx:
            rows = tx.shares.images(link)
            items = [visitor_copy(i, link) for i in tx.images.public(rows)]
            title, description = link.label or 'Shared images', ''
            if link.album_id is not None:
                album = tx.albums.get(link.album_id)
                if album is not None:
                    title, description = album.title, album.description
            if count_view:
                tx.shares.count_view(link.id)
        return SharedView(
            share_id=link.id, title=title, description=description, items=items,
            allow_download=link.allow_download, show_metadata=link.show_metadata,
        )  # fmt: skip

    def unlock(self, key: str, password: str) -> tuple[str, str]:
        """(the link's id, a grant for its cookie) for the right password."""
        link = self._live(key, password, None)
        return link.id, self.grant(link)

    def needs_password(self, key: str) -> bool:
        with self.uow() as tx:
            link = tx.shares.by_key(key)
        if link is None or not policy.share_is_live(link.expires_at, self.now()):
            raise ShareNotFound()
        return link.password_hash is not None

    def share_id(self, key: str) -> str:
        with self.uow() as tx:
            link = tx.shares.by_key(key)
        if link is None:
            raise ShareNotFound()
        return link.id

    def open_file(
        self, key: str, image_id: str, kind: str, *, password: str | None = None,
        grant: str | None = None,
    ) -> BlobFile:  # fmt: skip
        """An image's bytes through a link: only an image it shows, the original only where
        it allows downloads; anything else is the same 404 as a missing image."""
        link = self._live(key, password, grant)
        if not policy.share_may_download(link.allow_download, kind):
            raise ImageNotFound()
        with self.uow() as tx:
            image = tx.shares.image_in(link, image_id)
        if image is None:
            raise ImageNotFound()
        # Through a link the GPS position never leaves (issue 12), whatever `share_location`
        # says for signed-in viewers; any format, the picture itself left as it was.
        return self.images.blob_of(image, kind, keep_location=False)

    @staticmethod
    def grant(link: ShareLink) -> str:
        secret = (link.password_hash or '').encode()
        return hmac.new(secret, f'share:{link.id}'.encode(), hashlib.sha256).hexdigest()

    # ---- steps ----------------------------------------------------------------------------

    def _live(self, key: str, password: str | None, grant: str | None) -> ShareLink:
        with self.uow() as tx:
            link = tx.shares.by_key(key)
        if link is None or not policy.share_is_live(link.expires_at, self.now()):
            raise ShareNotFound()
        if link.password_hash is None:
            return link
        if grant and hmac.compare_digest(grant, self.grant(link)):
            return link
        if password is None:
            raise NeedsPassword()
        now = self.now().timestamp()
        with self.uow() as tx:
            count, oldest = tx.shares.failures_since(link.id, now - FAILURE_WINDOW_S)
        if count >= MAX_FAILURES and oldest is not None:
            wait = max(1, math.ceil(oldest + FAILURE_WINDOW_S - now))
            raise Throttled('Too many wrong passwords for this link; try again later', wait)
        if not self.passwords.verify(link.password_hash, password[:MAX_PASSWORD]):
            with self.uow() as tx:
                tx.shares.failed(link.id, now, forget_before=now - FAILURE_WINDOW_S)
            raise NeedsPassword('Wrong password for this link')
        return link

    def _own(self, tx: Any, actor: Actor, share_id: str) -> ShareLink:
        link = tx.shares.get(share_id)
        if link is None or not policy.is_owner(actor, link.owner_id):
            raise ShareNotFound()
        return link

    def _hash(self, password: str | None) -> str | None:
        if password is None:
            return None
        if not 1 <= len(password) <= MAX_PASSWORD:
            raise Invalid(f'A link password has 1 to {MAX_PASSWORD} characters')
        return self.passwords.hash(password)

    @staticmethod
    def _public(link: ShareLink, image_ids: list[str]) -> SharePublic:
        return SharePublic(
            id=link.id, key=link.key, path=f'/s/{link.key}', album_id=link.album_id,
            image_ids=image_ids if link.album_id is None else [],
            expires_at=policy.as_utc(link.expires_at) if link.expires_at else None,
            has_password=link.password_hash is not None, allow_download=link.allow_download,
            show_metadata=link.show_metadata, label=link.label,
            created_at=policy.as_utc(link.created_at), views=link.views,
        )  # fmt: skip


CAMERA_FACTS_HIDDEN: dict[str, Any] = {
    'camera': None, 'taken_at': None, 'sort_at': None, 'iso': None, 'exposure_s': None,
    'f_number': None, 'focal_mm': None,
}  # fmt: skip


def visitor_copy(image: ImagePublic, link: ShareLink) -> ImagePublic:
    """An image as a link shows it: camera facts only with show_metadata; downloads as the
    link allows them."""
    changes: dict[str, Any] = {
        'allow_download': link.allow_download, 'looks_like': None, 'location': None,
    }  # fmt: skip
    if not link.show_metadata:  # what the camera recorded, and when (sort_at tells it too)
        changes.update(CAMERA_FACTS_HIDDEN)
    return image.model_copy(update=changes)


def check_label(label: str | None) -> str:
    label = clean_text(label or '').replace('\n', ' ').strip()
    if len(label) > MAX_LABEL:
        raise Invalid(f'The label is {len(label)} characters long; at most {MAX_LABEL} are allowed')
    return label


def expiry(now: datetime, expires_in: int | None) -> datetime | None:
    if expires_in is None:
        return None
    if isinstance(expires_in, bool) or not 1 <= expires_in <= MAX_EXPIRES_S:
        raise Invalid(f'"expires_in" is seconds: 1 to {MAX_EXPIRES_S}, or null for never')
    return now + timedelta(seconds=expires_in)


def cookie_name(key: str) -> str:
    """The name of a link's unlock cookie: one per link, without the key itself in it."""
    return 'sb_share_' + hashlib.sha256(key.encode()).hexdigest()[:20]
