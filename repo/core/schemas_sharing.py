"""What the sharing services (share links, albums, trash, comments) take and give back."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from repo.core.schemas import ImagePublic
from repo.core.visibility import Visibility


class ShareCreate(BaseModel):
    image_ids: list[str] | None = None
    album_id: str | None = None
    expires_in: int | None = None  # seconds; None: never
    password: str | None = None
    allow_download: bool = False
    show_metadata: bool = False
    label: str = ''


class ShareUpdate(BaseModel):
    """A partial change: None leaves a field as it is; `clear_*` removes expiry or password."""

    expires_in: int | None = None
    clear_expiry: bool = False
    password: str | None = None
    clear_password: bool = False
    allow_download: bool | None = None
    show_metadata: bool | None = None
    label: str | None = None


class SharePublic(BaseModel):
    id: str
    key: str
    path: str  # '/s/<key>': the page a visitor opens
    album_id: str | None = None
    image_ids: list[str] = []
    expires_at: datetime | None = None
    has_password: bool = False
    allow_download: bool = False
    show_metadata: bool = False
    label: str = ''
    created_at: datetime
    views: int = 0


class SharedView(BaseModel):
    """What a link's visitor sees: the title (the album's, or the label's), the images as the
    link allows them."""

    share_id: str
    title: str
    description: str = ''
    items: list[ImagePublic]
    allow_download: bool
    show_metadata: bool


class AlbumCreate(BaseModel):
    title: str
    description: str = ''
    visibility: Visibility = Visibility.private


class AlbumUpdate(BaseModel):
    title: str | None = None
    description: str | None = None
    visibility: Visibility | None = None
    cover_image_id: str | None = None
    order: list[str] | None = None


class AlbumPublic(BaseModel):
    id: str
    title: str
    description: str
    visibility: Visibility
    owner: str
    cover_image_id: str | None = None  # the cover, or the first image the viewer may see
    count: int = 0  # images in it that the viewer may see
    created_at: datetime
    updated_at: datetime


class AlbumDetail(AlbumPublic):
    items: list[ImagePublic] = []
    total: int = 0
    limit: int = 50
    offset: int = 0


class TrashedPublic(BaseModel):
    image: ImagePublic
    deleted_at: datetime
    purge_at: datetime


class CommentPublic(BaseModel):
    id: int
    image_id: str
    author: str
    text: str
    created_at: datetime
    may_delete: bool = False  # for the one asking: the author or the image's owner
