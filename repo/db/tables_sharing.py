"""Tables of sharing (issue 12): share links, albums, the trash and comments.

Imported at the end of repo/db/tables.py so that SQLModel.metadata has them. Every row that
belongs to an account or an image goes with it (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Float, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _owner() -> Column:
    return Column(Integer, ForeignKey('user.id', ondelete='CASCADE'), nullable=False, index=True)


class Album(SQLModel, table=True):
    id: str = Field(primary_key=True)
    owner_id: int = Field(sa_column=_owner())
    title: str
    description: str = ''
    visibility: str = 'private'
    cover_image_id: str | None = Field(
        default=None,
        sa_column=Column(String, ForeignKey('image.id', ondelete='SET NULL'), nullable=True),
    )
    created_at: datetime = Field(default_factory=_utcnow)
    updated_at: datetime = Field(default_factory=_utcnow)


class AlbumImage(SQLModel, table=True):
    """An image in an album; `position` ascending is the album's order (new ones go first)."""

    album_id: str = Field(
        sa_column=Column(String, ForeignKey('album.id', ondelete='CASCADE'), primary_key=True)
    )
    image_id: str = Field(
        sa_column=Column(
            String, ForeignKey('image.id', ondelete='CASCADE'), primary_key=True, index=True
        )
    )
    position: int = 0
    added_at: datetime = Field(default_factory=_utcnow)


class ShareLink(SQLModel, table=True):
    """A link for people without an account: some images, or one album. The key is the secret
    in its URL (128 random bits or more); revoking deletes the row."""

    id: str = Field(primary_key=True)
    key: str = Field(sa_column=Column(String, unique=True, nullable=False, index=True))
    owner_id: int = Field(sa_column=_owner())
    album_id: str | None = Field(
        default=None,
        sa_column=Column(
            String, ForeignKey('album.id', ondelete='CASCADE'), nullable=True, index=True
        ),
    )
    label: str = ''
    password_hash: str | None = None
    allow_download: bool = False
    show_metadata: bool = False
    expires_at: datetime | None = None
    views: int = 0
    created_at: datetime = Field(default_factory=_utcnow)


class ShareImage(SQLModel, table=True):
    share_id: str = Field(
        sa_column=Column(String, ForeignKey('sharelink.id', ondelete='CASCADE'), primary_key=True)
    )
    image_id: str = Field(
        sa_column=Column(
            String, ForeignKey('image.id', ondelete='CASCADE'), primary_key=True, index=True
        )
    )
    position: int = 0


class ShareFailure(SQLModel, table=True):
    """A wrong password given for a link, at `at` (seconds): counted per link, every process."""

    id: int | None = Field(default=None, primary_key=True)
    share_id: str = Field(
        sa_column=Column(
            String, ForeignKey('sharelink.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    at: float = Field(sa_column=Column(Float, nullable=False))


class TrashedImage(SQLModel, table=True):
    """An image in its owner's trash. Its row has left the image table (so it is in no list,
    search, album or link), kept here as JSON with its tags and memberships until it is
    restored or purged; while it is here its bytes stay."""

    __table_args__ = (Index('ix_trashedimage_owner_sha', 'owner_id', 'sha256'),)

    image_id: str = Field(primary_key=True)
    owner_id: int = Field(sa_column=_owner())
    sha256: str = Field(index=True)
    title: str
    size_bytes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    deleted_at: datetime = Field(default_factory=_utcnow, index=True)
    row: str = Field(sa_column=Column(Text, nullable=False))  # the image row, JSON
    links: str = Field(sa_column=Column(Text, nullable=False))  # tags, albums, shares, JSON


class Comment(SQLModel, table=True):
    __table_args__ = (Index('ix_comment_image_created', 'image_id', 'created_at'),)

    id: int | None = Field(default=None, primary_key=True)
    image_id: str = Field(
        sa_column=Column(String, ForeignKey('image.id', ondelete='CASCADE'), nullable=False)
    )
    author_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey('user.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    text: str
    created_at: datetime = Field(default_factory=_utcnow, index=True)


class CommentsOff(SQLModel, table=True):
    """Images whose owner switched comments off."""

    image_id: str = Field(
        sa_column=Column(String, ForeignKey('image.id', ondelete='CASCADE'), primary_key=True)
    )
