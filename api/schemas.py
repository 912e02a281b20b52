"""The JSON shapes of API v1: what goes in (extra fields ignored) and what comes out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema

from api import schema_rules as rules
from api.schemas_shop import WholeNumber
from repo.core.schemas import (
    ImagePage,
    ImagePublic,
    SimilarImage,
    SimilarPage,
    TagCount,
    UserPublic,
)

LocalDateTime = Annotated[datetime, WithJsonSchema(rules.LOCAL_DATE_TIME)]
VisibilityName = Literal['private', 'public']


class ErrorOut(BaseModel):
    detail: str = Field(examples=['Image not found'])


class DuplicateOut(ErrorOut):
    existing_id: str = Field(description='The id of the image you already have with these bytes')


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None = None
    is_admin: bool
    created_at: datetime

    @classmethod
    def of(cls, user: UserPublic) -> UserOut:
        return cls.model_validate(user.model_dump())


class LocationOut(BaseModel):
    latitude: float = Field(description='Decimal degrees, north positive')
    longitude: float = Field(description='Decimal degrees, east positive')


class YearOut(BaseModel):
    year: int
    count: int = Field(description='Images of that year on the timeline that you may see')


class TimelineOut(BaseModel):
    years: list[YearOut] = Field(description='Newest year first; years without images left out')


class ImageOut(BaseModel):
    """An image as the API shows it. `owner` is the owner's username."""

    id: str
    title: str
    description: str
    tags: list[str]
    visibility: VisibilityName
    owner: str
    filename: str = Field(description="The uploader's file name (display text only)")
    format: str = Field(description='Detected format: JPEG, PNG, WEBP, GIF, AVIF or HEIF')
    width: int
    height: int
    size_bytes: int
    sha256: str
    colors: list[str] = Field(description='Dominant colours as "#rrggbb", most dominant first')
    taken_at: LocalDateTime | None = Field(
        None, description='From EXIF: camera local time, no zone'
    )
    created_at: datetime
    updated_at: datetime
    camera: str | None = None
    allow_download: bool = Field(
        False, description='Whether others may download the original (the owner always may)'
    )
    auto_tags: list[str] = Field(
        [], description='The tags in `tags` that Shoebox added from the image itself'
    )
    color_names: list[str] = Field([], description='Named colours the image matches')
    looks_like: str | None = Field(
        None, description='On upload: the id of one of your images that looks the same'
    )
    price_cents: int | None = Field(
        None, description='On sale at this price, in minor units of the currency; null: not'
    )
    stock: int | None = Field(None, description='Copies left; null: unlimited (or not on sale)')
    for_sale: bool = Field(False, description='Whether it can be bought')
    sort_at: LocalDateTime | None = Field(
        None,
        description='Where the image sits on the timeline (`sort=newest|oldest`): `taken_at`, '
        'else `created_at` in UTC; no zone',
    )
    iso: int | None = Field(None, description='From EXIF: ISO speed')
    exposure_s: float | None = Field(None, description='From EXIF: exposure time in seconds')
    f_number: float | None = Field(None, description='From EXIF: aperture, e.g. 2.8 for f/2.8')
    focal_mm: float | None = Field(None, description='From EXIF: focal length in millimetres')
    share_location: bool = Field(
        False,
        description='Whether others who may download the original get it with its GPS '
        'location (by default it is stripped from their copy; the owner always gets it)',
    )
    location: LocationOut | None = Field(
        None,
        description='Where it was taken (EXIF GPS): only for the owner, and only on '
        '`GET /images/{id}` and `PATCH`; null for everyone else and in lists',
    )
    restored: bool = Field(
        False, description='On upload: these bytes were in your trash and that image is back'
    )

    @classmethod
    def of(cls, image: ImagePublic) -> ImageOut:
        data = image.model_dump(include=set(cls.model_fields))
        data['visibility'] = image.visibility.value
        return cls.model_validate(data)


class ImageListOut(BaseModel):
    items: list[ImageOut]
    total: int
    limit: int
    offset: int
    suggestion: str | None = Field(
        None,
        description='With `q`: when some of its words find nothing, the search text with those '
        'words corrected to words of images you can see ("hrbour" -> "harbour"), to offer as '
        '"Did you mean ...?"; null when there is nothing to correct, and without `q`',
        examples=['harbour at dawn'],
    )

    next_cursor: str | None = Field(
        None,
        description='Without `q`: pass as `cursor` to get the page after this one (keyset '
        'pagination: nothing skipped or repeated while images arrive); null when this page is '
        'the last',
    )

    @classmethod
    def of(cls, page: ImagePage) -> ImageListOut:
        return cls(
            items=[ImageOut.of(i) for i in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
            suggestion=page.suggestion,
            next_cursor=page.next_cursor,
        )


class SignupIn(BaseModel):
    model_config = ConfigDict(extra='ignore')

    username: Annotated[str, WithJsonSchema(rules.USERNAME)]
    password: Annotated[str, WithJsonSchema(rules.PASSWORD)]
    email: Annotated[str, WithJsonSchema(rules.EMAIL)] | None = None
    display_name: Annotated[str, WithJsonSchema(rules.DISPLAY_NAME)] | None = None


class TokenIn(BaseModel):
    model_config = ConfigDict(extra='ignore')

    username: str
    password: str
    name: Annotated[str, WithJsonSchema(rules.TOKEN_NAME)] | None = Field(
        None, description='A label to recognise the token by later (at most 100 characters)'
    )
    scopes: list[str] | None = Field(
        None,
        description='What the token may do: any of images:read, images:write (upload, edit), '
        'images:delete, shares:write, shop, admin. Default: all that the account may do',
    )
    expires_in: int | None = Field(
        None, description='Seconds until the token stops working (60 or more); default: never'
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal['bearer'] = 'bearer'


class ImagePatch(BaseModel):
    """Fields left out (or null) are not changed. `owner` and other unknown fields are ignored."""

    model_config = ConfigDict(extra='ignore')

    title: Annotated[str, WithJsonSchema(rules.TITLE)] | None = Field(
        None, description='At most 200 characters, not only invisible ones (else 422)'
    )
    description: str | None = Field(None, description='At most 5000 characters (else 422)')
    tags: list[Annotated[str, WithJsonSchema(rules.TAG)]] | None = Field(
        None,
        description='The full new list of tags: no commas in a tag; blank ones are skipped; at '
        'most 50 characters each and 30 in all (else 422)',
    )
    visibility: VisibilityName | None = None
    allow_download: StrictBool | None = Field(
        None, description='Let others download the original of a public image (true or false)'
    )
    price_cents: WholeNumber | None = Field(
        None,
        description='Put a public image on sale at this price (minor units, 0 or more; 0 is '
        'free); null takes it off sale. A private image -> 422',
    )
    stock: WholeNumber | None = Field(
        None, description='Copies for sale (0 or more); null: unlimited (digital copies)'
    )
    share_location: StrictBool | None = Field(
        None,
        description='Let others who download the original have its GPS location too (default '
        'false: their copy has it stripped)',
    )
    comments_enabled: StrictBool | None = Field(
        None, description='Whether others may comment on the image (true or false)'
    )


class SimilarImageOut(ImageOut):
    """An image that looks like the query, and how closely."""

    distance: float = Field(
        description='How different it looks: 0 is the same picture; up to 16 is a '
        'near-duplicate (resized, recompressed, brightened, captioned, slightly cropped, turned '
        'or mirrored); results go no further than 20'
    )

    @classmethod
    def of_similar(cls, found: SimilarImage) -> SimilarImageOut:
        data = ImageOut.of(found.image).model_dump()
        return cls.model_validate({**data, 'distance': found.distance})


class SimilarListOut(BaseModel):
    items: list[SimilarImageOut] = Field(description='Closest first')
    total: int

    @classmethod
    def of(cls, page: SimilarPage) -> SimilarListOut:
        return cls(items=[SimilarImageOut.of_similar(i) for i in page.items], total=page.total)


class DuplicatesOut(BaseModel):
    groups: list[list[str]] = Field(
        description='Image ids per group of images that look like the same picture; best first '
        '(most pixels, then most bytes, then oldest)'
    )
    images: list[list[ImageOut]] = Field(
        description='The same groups with each image in full, in the same order'
    )

    @classmethod
    def of(cls, groups: list[list[ImagePublic]]) -> DuplicatesOut:
        return cls(
            groups=[[i.id for i in group] for group in groups],
            images=[[ImageOut.of(i) for i in group] for group in groups],
        )


class TagCountOut(BaseModel):
    name: str
    count: int = Field(description='How many images you may see carry the tag')

    @classmethod
    def of(cls, tag: TagCount) -> TagCountOut:
        return cls(name=tag.name, count=tag.count)
