"""One error family for the whole app: each error carries the HTTP status it maps to."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager


class ShoeboxError(Exception):
    """Base class. `status` is the HTTP status the API answers with; `str(e)` is the message."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(ShoeboxError):
    status = 401


class InvalidCredentials(NotAuthenticated):
    """Same message for an unknown user and a wrong password."""

    def __init__(self, message: str = 'Invalid username or password') -> None:
        super().__init__(message)


class Forbidden(ShoeboxError):
    status = 403


class NotFound(ShoeboxError):
    status = 404


class ImageNotFound(NotFound):
    """Raised for a missing image and for someone else's private image alike."""

    def __init__(self, message: str = 'Image not found') -> None:
        super().__init__(message)


class Conflict(ShoeboxError):
    status = 409


class DuplicateImage(Conflict):
    def __init__(self, existing_id: str, title: str = '') -> None:
        label = f' "{title}"' if title else ''
        super().__init__(f'You already have this image{label} (id {existing_id})')
        self.existing_id = existing_id


class NotEnoughStock(Conflict):
    """A cart line wants more copies than are left: `available` says how many are."""

    def __init__(self, available: int) -> None:
        copies = f'{available} cop' + ('y is' if available == 1 else 'ies are')
        super().__init__(f'Only {copies} left')
        self.available = available


class CheckoutRefused(Conflict):
    """Some lines of the cart lack stock or are no longer on sale; nothing was bought.
    `lines`: (image_id, requested, available) of each."""

    def __init__(self, lines: list[tuple[str, int, int]]) -> None:
        super().__init__(
            'Some images in your cart are no longer available in the quantity you asked for; '
            'nothing was bought'
        )
        self.lines = lines


class TooLarge(ShoeboxError):
    status = 413


class UnsupportedType(ShoeboxError):
    status = 415


class Invalid(ShoeboxError):
    status = 422


class DiskFull(ShoeboxError):
    """The disk (or the account's quota on it) is full; whatever was being written is gone."""

    status = 507

    def __init__(self, message: str = "The server's disk is full; nothing was stored") -> None:
        super().__init__(message)


DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SQLITE_FULL = 'database or disk is full'
POSTGRES_DISK_FULL = '53100'  # SQLSTATE disk_full


def is_disk_full(exc: BaseException | None) -> bool:
    """ENOSPC or EDQUOT (also when wrapped, e.g. by SQLAlchemy), SQLite's SQLITE_FULL or
    Postgres's disk_full."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DiskFull):
            return True
        if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
            return True
        if SQLITE_FULL in str(exc) and type(exc).__name__ == 'OperationalError':
            return True
        if POSTGRES_DISK_FULL in (getattr(exc, 'sqlstate', None), getattr(exc, 'pgcode', None)):
            return True
        exc = exc.__cause__ or exc.__context__ or getattr(exc, 'orig', None)
        seen += 1
    return False


@contextmanager
def disk_full_as_error() -> Iterator[None]:
    """OSError ENOSPC / EDQUOT -> DiskFull (other errors pass unchanged)."""
    try:
        yield
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFull() from exc
        raise


class Throttled(ShoeboxError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExceeded(ShoeboxError):
    """An upload would pass the account's storage quota (507 Insufficient Storage)."""

    status = 507

    def __init__(
        self,
        *,
        quota_bytes: int | None,
        used_bytes: int,
        quota_images: int | None,
        used_images: int,
        adding_bytes: int = 0,
    ) -> None:
        if quota_images is not None and used_images + 1 > quota_images:
            images = f'{quota_images} image' + ('' if quota_images == 1 else 's')
            message = (
                f'This upload would pass your quota of {images} (you have {used_images}); '
                'delete some or ask an administrator for more room'
            )
        else:
            left = max(0, (quota_bytes or 0) - used_bytes)
            message = (
                f'This upload ({_size(adding_bytes)}) would pass your storage quota: '
                f'{_size(left)} left of {_size(quota_bytes or 0)}; delete some images or ask '
                'an administrator for more room'
            )
        super().__init__(message)
        self.quota_bytes = quota_bytes
        self.used_bytes = used_bytes
        self.quota_images = quota_images
        self.used_images = used_images


def _size(n: float) -> str:
    """1234567 -> '1.2 MB' (decimal units)."""
    for unit in ('bytes', 'KB', 'MB', 'GB'):
        if n < 1000:
            return f'{n:.0f} {unit}' if unit == 'bytes' else f'{n:.1f} {unit}'
        n /= 1000
    return f'{n:.1f} TB'


class EncryptionKeyError(ShoeboxError):
    """The encryption key file is missing, unreadable, malformed or holds another key. The
    message names the setting, never the key. Raised at start-up (a server refuses to start)."""

    status = 500
