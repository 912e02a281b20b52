"""The JSON shapes of administration, quotas and scoped tokens in API v1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
)

from api import schema_rules as rules
from api.schemas import ErrorOut, UserOut
from repo.core.schemas import UserPublic
from repo.core.schemas_admin import AccountSummary, AuditRecord, InstanceStats, UsagePublic
from repo.core.scopes import SCOPES
from repo.services.admin import MAX_QUOTA_BYTES, MAX_QUOTA_IMAGES
from repo.services.runtime_settings import MAX_FILE_BYTES, MAX_PIXELS, MAX_TRASH_DAYS


def _no_default(schema: dict[str, Any]) -> None:
    """A field that may be left out but not sent as null: no `default: null` in the schema."""
    schema.pop('default', None)


def _integral(value: Any) -> Any:
    """616.0 is an integer in JSON Schema; true and "616" are not (StrictInt refuses them)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def whole(low: int, high: int | None = None) -> Any:
    """An integer from low to high, stated in the schema and held to exactly."""
    return Annotated[int, Field(ge=low, le=high, strict=True), BeforeValidator(_integral)]


SCOPES_HELP = 'Any of: ' + ', '.join(f'`{s}` ({what})' for s, what in SCOPES.items())


class UsageOut(BaseModel):
    bytes_used: int = Field(description='Sum of the sizes of your originals (trash included)')
    images: int = Field(description='How many images you have (trash included)')
    quota_bytes: int | None = Field(description='Your storage quota in bytes; null: unlimited')
    quota_images: int | None = Field(description='Your quota of images; null: unlimited')

    @classmethod
    def of(cls, usage: UsagePublic) -> UsageOut:
        return cls.model_validate(usage.model_dump())


class MeOut(UserOut):
    usage: UsageOut

    @classmethod
    def of_me(cls, user: UserPublic, usage: UsagePublic) -> MeOut:
        return cls.model_validate({**UserOut.of(user).model_dump(), 'usage': UsageOut.of(usage)})


class QuotaOut(ErrorOut):
    """507: the upload would pass a quota (the four fields say how), or the disk is full (the
    detail alone); nothing of it was kept."""

    quota_bytes: int | None = None
    used_bytes: int | None = None
    quota_images: int | None = None
    used_images: int | None = None


class AdminUserOut(BaseModel):
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    disabled: bool
    created_at: datetime
    last_seen_at: datetime | None
    images: int
    bytes_used: int
    quota_bytes: int | None = Field(
        description="The account's own storage quota in bytes; null: the instance default"
    )
    quota_images: int | None = Field(
        description="The account's own quota of images; null: the instance default"
    )

    @classmethod
    def of(cls, summary: AccountSummary) -> AdminUserOut:
        return cls.model_validate(summary.model_dump(include=set(cls.model_fields)))


class AdminUserIn(BaseModel):
    model_config = ConfigDict(extra='ignore')

    username: Annotated[str, WithJsonSchema(rules.USERNAME)]
    password: Annotated[str, WithJsonSchema(rules.PASSWORD)]
    display_name: Annotated[str, WithJsonSchema(rules.DISPLAY_NAME)] | None = None
    email: Annotated[str, WithJsonSchema(rules.EMAIL)] | None = None
    is_admin: StrictBool = False
    must_change_password: StrictBool = Field(
        False, description='The owner must choose a new password when first signing in'
    )


class AdminUserPatch(BaseModel):
    """Any of these; fields left out are not changed."""

    model_config = ConfigDict(extra='ignore')

    # Left out: unchanged. Not nullable: null is no answer to "disabled?" (422).
    disabled: StrictBool = Field(
        None,  # type: ignore[assignment]
        description='A disabled account cannot sign in; its sessions end, its tokens stop',
        json_schema_extra=_no_default,
    )
    is_admin: StrictBool = Field(
        None,  # type: ignore[assignment]
        json_schema_extra=_no_default,
    )
    quota_bytes: whole(0, MAX_QUOTA_BYTES) | None = Field(
        None, description='Bytes; null: the instance default'
    )
    quota_images: whole(0, MAX_QUOTA_IMAGES) | None = Field(
        None, description='Images; null: the instance default'
    )


class ResetOut(BaseModel):
    reset_url: str = Field(description='Open it to set a new password; works once')
    expires_at: datetime


class SettingsOut(BaseModel):
    open_signup: bool = Field(description='Anyone may create an account')
    default_quota_bytes: int | None = Field(description='Per account, in bytes; null: unlimited')
    default_quota_images: int | None = Field(description='Per account; null: unlimited')
    trash_days: int = Field(description='Days deleted images stay in the trash; 0: no trash')
    max_file_bytes: int = Field(description='Largest file accepted, in bytes')
    max_pixels: int = Field(description='Largest image accepted, in pixels')


class SettingsPatch(BaseModel):
    """Any of the settings; those left out are not changed. Stored in the database and in
    force at once, in every process, without a restart."""

    model_config = ConfigDict(extra='forbid')

    # Left out: unchanged; null only where it means something (a quota: unlimited).
    open_signup: StrictBool = Field(None, json_schema_extra=_no_default)  # type: ignore[assignment]
    default_quota_bytes: whole(0) | None = Field(None, description='Bytes; null: unlimited')
    default_quota_images: whole(0) | None = Field(None, description='Images; null: unlimited')
    trash_days: whole(0, MAX_TRASH_DAYS) = Field(
        None,  # type: ignore[assignment]
        json_schema_extra=_no_default,
    )
    max_file_bytes: whole(1, MAX_FILE_BYTES) = Field(
        None,  # type: ignore[assignment]
        json_schema_extra=_no_default,
    )
    max_pixels: whole(1, MAX_PIXELS) = Field(
        None,  # type: ignore[assignment]
        json_schema_extra=_no_default,
    )

    def changes(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.model_fields_set}


class AuditOut(BaseModel):
    who: str = Field(description="Who acted: a username, or 'system' (the command line)")
    what: str = Field(description='The action, e.g. user.disable, settings.update')
    whom: str = Field(description="The account acted on ('' for instance-wide actions)")
    when: datetime
    details: dict[str, Any] = Field(description='What changed')

    @classmethod
    def of(cls, record: AuditRecord) -> AuditOut:
        return cls.model_validate(record.model_dump())


class StatsOut(BaseModel):
    users: int
    images: int
    bytes: int = Field(description="Sum of every account's originals (a copy per account)")
    pending_index_work: int = Field(description='Changes the search index has yet to apply')
    jobs_queued: int = Field(description='Image jobs waiting or running in this process')

    @classmethod
    def of(cls, stats: InstanceStats) -> StatsOut:
        return cls.model_validate(stats.model_dump())
