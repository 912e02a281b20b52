"""The public (API-facing) shapes of the domain: what services hand out. Tables never leave
`repo/db/`; callers get these."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, field_validator

from repo.core.scopes import parse_scopes
from repo.core.visibility import Visibility


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None = None
    is_admin: bool
    created_at: datetime
    disabled: bool = False
    must_change_password: bool = False
    last_seen_at: datetime | None = None
    quota_bytes: int | None = None  # the account's own quota; None: the instance default
    quota_images: int | None = None


class TokenUser(UserPublic):
    """The account behind an API token, with what the token may do (repo.core.scopes)."""

    token_scopes: tuple[str, ...] = ()


class Location(BaseModel):
    latitude: float
    longitude: float


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
    # The shop (issue 15): minor units; stock None = unlimited; not for sale: all None/False.
    price_cents: int | None = None
    stock: int | None = None
    for_sale: bool = False
    sort_at: datetime | None = None  # the timeline: taken_at, else created_at (naive UTC)
    iso: int | None = None
    exposure_s: float | None = None
    f_number: float | None = None
    focal_mm: float | None = None
    share_location: bool = False  # others' downloads of the original keep the GPS position
    location: Location | None = None  # the owner's eyes only (ImageService.get fills it in)

    restored: bool = False  # set on add: the upload brought this image back from the trash


class YearCount(BaseModel):
    year: int
    count: int


class ImagePage(BaseModel):
    items: list[ImagePublic]
    total: int
    limit: int
    offset: int
    # Searches only: the text with the words that found nothing corrected, e.g. 'harbour'.
    suggestion: str | None = None
    # Lists only (not searches): where the next page starts, when this one was full.
    next_cursor: str | None = None


class ImageUpdate(BaseModel):
    """A partial update: fields left as None are not changed."""

    title: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    visibility: Visibility | None = None
    allow_download: bool | None = None
    # Given (even as null) or not: see `model_fields_set`. price_cents null: off sale;
    # stock null: unlimited.
    price_cents: int | None = None
    stock: int | None = None
    share_location: bool | None = None


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    expires_at: datetime | None = None

    @field_validator('scopes', mode='before')
    @classmethod
    def _split(cls, value: object) -> object:
        return parse_scopes(value) if isinstance(value, str) else value


class SimilarImage(BaseModel):
    image: ImagePublic
    distance: float  # 0 = identical look; <= near-duplicate threshold = the same picture


class SimilarPage(BaseModel):
    items: list[SimilarImage]
    total: int


class TagCount(BaseModel):
    name: str
    count: int
