"""The JSON shapes of share links, albums, the trash and comments (issue 12)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema

from api import schema_rules as rules
from api.schemas import ImageOut, VisibilityName
from repo.core.schemas_sharing import (
    AlbumDetail,
    AlbumPublic,
    CommentPublic,
    SharedView,
    SharePublic,
    TrashedPublic,
)

EXPIRES_HELP = 'Seconds from now until the link stops working; null: never'
MAX_IDS = 1000
MAX_EXPIRES = 10 * 366 * 24 * 3600  # repo.services.sharing.MAX_EXPIRES_S
Ids = Annotated[list[str], Field(min_length=1, max_length=MAX_IDS)]
Label = Annotated[str, WithJsonSchema({'type': 'string', 'pattern': rules.stripped_at_most(200)})]
Expiry = Annotated[int, Field(ge=1, le=MAX_EXPIRES)]
LinkPassword = Annotated[str, Field(min_length=1, max_length=200)]
# Either images or an album (repo.services.sharing.SharingService.create).
ONE_OF_IMAGES_OR_ALBUM = {
    'oneOf': [
        {'required': ['image_ids'], 'properties': {'image_ids': {'type': 'array'},
                                                   'album_id': {'type': 'null'}}},
        {'required': ['album_id'], 'properties': {'album_id': {'type': 'string'},
                                                  'image_ids': {'type': 'null'}}},
    ]
}  # fmt: skip
IDS_OR_ALL = {
    'anyOf': [
        {'required': ['all'], 'properties': {'all': {'const': True}}},
        {'required': ['image_ids'], 'properties': {'image_ids': {'type': 'array'}}},
    ]
}


class ShareIn(BaseModel):
    model_config = ConfigDict(extra='ignore', json_schema_extra=ONE_OF_IMAGES_OR_ALBUM)

    image_ids: Ids | None = Field(None, description='Your images (or give `album_id`)')
    album_id: str | None = Field(None, description='Your album: the link shows all of it')
    expires_in: Expiry | None = Field(None, description=EXPIRES_HELP)
    password: LinkPassword | None = Field(None, description='1 to 200 characters; null: none')
    allow_download: StrictBool = Field(False, description='Whether visitors get the originals')
    show_metadata: StrictBool = Field(
        False, description='Whether visitors see camera and taken-at facts (GPS: never)'
    )
    label: Label = Field('', description='Free text, e.g. who the link is for (at most 200)')


class SharePatch(BaseModel):
    """Fields left out are not changed; `expires_in` or `password` null removes them."""

    model_config = ConfigDict(extra='ignore')

    expires_in: Expiry | None = Field(None, description=EXPIRES_HELP)
    password: LinkPassword | None = None
    allow_download: StrictBool | None = None
    show_metadata: StrictBool | None = None
    label: Label | None = None


class ShareOut(BaseModel):
    id: str
    url: str = Field(description='The page to give to the visitor: /s/{key} on this server')
    key: str = Field(description='The secret in the URL (at least 128 random bits)')
    expires_at: datetime | None
    has_password: bool
    allow_download: bool
    show_metadata: bool
    label: str
    created_at: datetime
    views: int = Field(description='How many times the link was opened')
    album_id: str | None = None
    image_ids: list[str] = Field([], description='The images a link of images shows')

    @classmethod
    def of(cls, share: SharePublic, base_url: str) -> ShareOut:
        data = share.model_dump(exclude={'path'})
        return cls(url=base_url.rstrip('/') + share.path, **data)


class UnlockIn(BaseModel):
    password: str


class UnlockOut(BaseModel):
    ok: bool = True


class SharedOut(BaseModel):
    title: str
    description: str = ''
    items: list[ImageOut] = Field(description='The images, limited to what the link allows')
    allow_download: bool
    show_metadata: bool

    @classmethod
    def of(cls, view: SharedView) -> SharedOut:
        return cls(
            title=view.title, description=view.description,
            items=[ImageOut.of(i) for i in view.items], allow_download=view.allow_download,
            show_metadata=view.show_metadata,
        )  # fmt: skip


class AlbumIn(BaseModel):
    model_config = ConfigDict(extra='ignore')

    title: Annotated[str, WithJsonSchema(rules.TITLE)] = Field(
        description='1 to 200 characters, not only invisible ones (else 422)'
    )
    description: str = Field('', description='At most 5000 characters (else 422)')
    visibility: VisibilityName = 'private'


class AlbumPatch(BaseModel):
    model_config = ConfigDict(extra='ignore')

    title: Annotated[str, WithJsonSchema(rules.TITLE)] | None = Field(
        None, description='1 to 200 characters, not only invisible ones (else 422)'
    )
    description: str | None = Field(None, description='At most 5000 characters (else 422)')
    visibility: VisibilityName | None = None
    cover_image_id: str | None = Field(None, description='One of the images in the album')
    order: list[str] | None = Field(
        None, description='Image ids of the album in their new order (the rest follow)'
    )


class AlbumImagesIn(BaseModel):
    image_ids: Ids


class AlbumOut(BaseModel):
    id: str
    title: str
    description: str
    visibility: VisibilityName
    owner: str
    cover_image_id: str | None = Field(
        None, description='The cover, or else the first image of the album you may see'
    )
    count: int = Field(description='How many of its images you may see')
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, album: AlbumPublic) -> AlbumOut:
        data = album.model_dump(include=set(cls.model_fields))
        data['visibility'] = album.visibility.value
        return cls.model_validate(data)


class AlbumListOut(BaseModel):
    items: list[AlbumOut]


class AlbumDetailOut(AlbumOut):
    items: list[ImageOut]
    total: int
    limit: int
    offset: int

    @classmethod
    def of_detail(cls, album: AlbumDetail) -> AlbumDetailOut:
        base = AlbumOut.of(album).model_dump()
        return cls(
            **base, items=[ImageOut.of(i) for i in album.items], total=album.total,
            limit=album.limit, offset=album.offset,
        )  # fmt: skip


class TrashedOut(ImageOut):
    deleted_at: datetime
    purge_at: datetime = Field(description='When it goes for good')

    @classmethod
    def of_trashed(cls, item: TrashedPublic) -> TrashedOut:
        data = ImageOut.of(item.image).model_dump()
        return cls(**data, deleted_at=item.deleted_at, purge_at=item.purge_at)


class TrashOut(BaseModel):
    items: list[TrashedOut]
    trash_days: int = Field(description='Days an image stays in the trash (0: no trash)')


class TrashIdsIn(BaseModel):
    image_ids: Ids


class TrashEmptyIn(BaseModel):
    model_config = ConfigDict(json_schema_extra=IDS_OR_ALL)

    image_ids: Ids | None = None
    all: StrictBool = False


class CountOut(BaseModel):
    count: int


class RestoredOut(BaseModel):
    items: list[ImageOut]


class CommentIn(BaseModel):
    text: str = Field(
        min_length=1,
        description='1 to 2,000 characters of plain text, not only spaces or invisible ones '
        '(counted once those are removed; else 422)',
    )


class CommentOut(BaseModel):
    id: int
    author: str
    text: str
    created_at: datetime
    may_delete: bool = Field(False, description='Whether you may delete it')

    @classmethod
    def of(cls, comment: CommentPublic) -> CommentOut:
        return cls.model_validate(comment.model_dump(include=set(cls.model_fields)))


class CommentListOut(BaseModel):
    items: list[CommentOut] = Field(description='Oldest first')
    comments_enabled: bool
