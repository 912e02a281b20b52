"""SQLModel tables and the public (API-facing) schemas.

Tables are never handed out of `repo/`: callers get the `*Public` models.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from pydantic import BaseModel, NaiveDatetime
from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from repo.visibility import Visibility

SCHEMA_VERSION = 2


def utcnow() -> datetime:
    """Timezone-aware UTC; EXIF times (camera local time, zone unknown) stay naive."""
    return datetime.now(UTC)


def new_image_id() -> str:
    """128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself, e.g. the schema version."""

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


class Image(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint('owner_id', 'sha256', name='uq_image_owner_sha'),
        # Gallery pages: newest/oldest first within one owner or one visibility.
        Index('ix_image_owner_created', 'owner_id', 'created_at'),
        Index('ix_image_visibility_created', 'visibility', 'created_at'),
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
    dhash: int = 0  # signed 64-bit
    signature: bytes = Field(
        default=b'', sa_column=Column(LargeBinary, nullable=False, default=b'')
    )
    color_names: str = ''  # ',blue,white,': named colours matched (repo.palette), for filtering
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


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


class IndexOutbox(SQLModel, table=True):
    """One row per image change still to be applied to the search index."""

    id: int | None = Field(default=None, primary_key=True)
    image_id: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)


# ---- public schemas -------------------------------------------------------------------------


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None = None
    is_admin: bool
    created_at: datetime


class ImagePublic(BaseModel):
    id: str
    title: str
    description: str
    tags: list[str]
    auto_tags: list[str] = []  # the subset of `tags` Shoebox added itself
    color_names: list[str] = []  # named colours the image matches
    visibility: Visibility
    owner: str
    owner_id: int
    filename: str
    format: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    colors: list[str]
    taken_at: datetime | None = None
    camera: str | None = None
    dhash: int = 0
    allow_download: bool = False
    created_at: datetime
    updated_at: datetime
    looks_like: str | None = None  # set on add: the id of an own near-duplicate, if any


class ImagePage(BaseModel):
    items: list[ImagePublic]
    total: int
    limit: int
    offset: int
    # Searches only: the text with the words that found nothing corrected, e.g. 'harbour'.
    suggestion: str | None = None


class ImageUpdate(BaseModel):
    """A partial update: fields left as None are not changed."""

    title: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    visibility: Visibility | None = None
    allow_download: bool | None = None


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


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None = None


class SimilarImage(BaseModel):
    image: ImagePublic
    distance: float  # 0 = identical look; <= near-duplicate threshold = the same picture


class SimilarPage(BaseModel):
    items: list[SimilarImage]
    total: int


class TagCount(BaseModel):
    name: str
    count: int
