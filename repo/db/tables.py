"""The database tables (SQLModel). They never leave `repo/db/`: services get `repo.core.schemas`.

Changes to these go with an Alembic migration in repo/db/migrations/versions (a test compares
the two).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from pydantic import NaiveDatetime
from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from repo.core.scopes import ALL_SCOPES_TEXT
from repo.core.visibility import Visibility


def utcnow() -> datetime:
    """Timezone-aware UTC; EXIF times (camera local time, zone unknown) stay naive."""
    return datetime.now(UTC)


def new_image_id() -> str:
    """128 random bits, URL-safe (22 characters), never starting with '-'.

    A leading '-' made the CLI read the id as an option ("No such option: -1"); ids made
    before this rule still work everywhere (on the command line after `--`).
    """
    return new_token_id(16)


def new_token_id(nbytes: int) -> str:
    """A random URL-safe id of `nbytes` bytes whose first character is not '-'."""
    while (value := secrets.token_urlsafe(nbytes)).startswith('-'):
        pass
    return value


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself (e.g. 'founder': the first account's id)."""

    key: str = Field(primary_key=True)
    value: str


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String, unique=True, nullable=False, index=True))
    display_name: str
    email: str | None = None
    password_hash: str
    is_admin: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # Administration (issue 13): a disabled account cannot sign in; quotas None = the default.
    disabled: bool = False
    must_change_password: bool = False
    last_seen_at: datetime | None = None
    quota_bytes: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    quota_images: int | None = None


class Image(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint('owner_id', 'sha256', name='uq_image_owner_sha'),
        # Gallery pages: newest/oldest first within one owner or one visibility.
        Index('ix_image_owner_created', 'owner_id', 'created_at'),
        Index('ix_image_visibility_created', 'visibility', 'created_at'),
        # An account's usage (count and bytes) for its quota, read from the index alone.
        Index('ix_image_owner_size', 'owner_id', 'size_bytes'),
        # The timeline (issue 10): by date taken, falling back to the upload time.
        Index('ix_image_owner_sort', 'owner_id', 'sort_at'),
        Index('ix_image_visibility_sort', 'visibility', 'sort_at'),
    )

    id: str = Field(default_factory=new_image_id, primary_key=True)
    owner_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey('user.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    title: str
    description: str = ''
    filename: str
    visibility: str = Field(default=Visibility.private.value, index=True)
    allow_download: bool = False
    sha256: str = Field(index=True)
    format: str
    width: int
    height: int
    size_bytes: int
    taken_at: NaiveDatetime | None = None
    camera: str | None = None
    colors: str = ''  # '#rrggbb,#rrggbb,...', most dominant first
    dhash: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    signature: bytes = Field(
        default=b'', sa_column=Column(LargeBinary, nullable=False, default=b'')
    )
    color_names: str = (
        ''  # ',blue,white,': named colours matched (repo.core.palette), for filtering
    )
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    # The timeline's date: taken_at if known, else created_at as naive UTC (see timeline_at).
    sort_at: NaiveDatetime = Field(default_factory=lambda: naive_utc(utcnow()), index=True)
    # What the camera recorded besides the date (issue 10), None when it did not say.
    iso: int | None = None
    exposure_s: float | None = None  # exposure time in seconds
    f_number: float | None = None
    focal_mm: float | None = None
    latitude: float | None = None  # GPS, shown to the owner only
    longitude: float | None = None
    # Others downloading the original get it with its GPS location stripped unless this is set.
    share_location: bool = False


def naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value


def timeline_at(taken_at: datetime | None, created_at: datetime) -> datetime:
    """Where an image sits on the timeline: when it was taken, else when it was uploaded."""
    return taken_at if taken_at is not None else naive_utc(created_at)


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String, unique=True, nullable=False, index=True))


class ImageTag(SQLModel, table=True):
    image_id: str = Field(
        sa_column=Column(String, ForeignKey('image.id', ondelete='CASCADE'), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey('tag.id', ondelete='CASCADE'), primary_key=True, index=True
        )
    )
    auto: bool = False  # added by Shoebox from the image itself (colour, orientation, ...)


class Event(SQLModel, table=True):
    """The outbox: one row per domain event, written in the transaction that caused it.

    Consumers (the search index, the similarity caches of other processes) read the rows after
    their cursor. Old rows are pruned once every durable cursor has passed them.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    image_id: str = Field(index=True)
    origin: str = ''  # the process that wrote it (its own caches are updated directly)
    created_at: datetime = Field(default_factory=utcnow)


class ConsumerCursor(SQLModel, table=True):
    """How far a durable consumer of the event table has got (the last event id it applied)."""

    name: str = Field(primary_key=True)
    position: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class LoginFailure(SQLModel, table=True):
    """Failed sign-ins per throttle key ('user:NAME', 'addr:IP'), shared by every process."""

    key: str = Field(primary_key=True)
    failures: int = 0
    last_failure: float = Field(default=0.0, sa_column=Column(Float, nullable=False, default=0))


class LoginSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries the random id; only its hash is stored."""

    id_hash: str = Field(primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey('user.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class ApiToken(SQLModel, table=True):
    """A personal API token; only its hash is stored, the token itself is shown once."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey('user.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    name: str
    token_hash: str = Field(sa_column=Column(String, unique=True, nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    scopes: str = Field(
        default=ALL_SCOPES_TEXT, sa_column_kwargs={'server_default': ALL_SCOPES_TEXT}
    )  # what the token may do (repo.core.scopes), space-separated
    expires_at: datetime | None = None


# The tables of administration (issue 13): audit log, password resets, runtime settings.
from repo.db.tables_admin import AuditEntry, PasswordReset, RuntimeSetting  # noqa: E402, F401

# The tables of sharing (issue 12): share links, albums, the trash, comments.
from repo.db.tables_sharing import (  # noqa: E402, F401
    Album,
    AlbumImage,
    Comment,
    CommentsOff,
    ShareFailure,
    ShareImage,
    ShareLink,
    TrashedImage,
)

# The shop (issue 15): listings, carts, orders.
from repo.db.tables_shop import CartItem, Listing, ShopOrder, ShopOrderLine  # noqa: E402, F401
