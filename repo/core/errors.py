"""One error family for the whole app: each error carries the HTTP status it maps to."""

from __future__ import annotations


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


class TooLarge(ShoeboxError):
    status = 413


class UnsupportedType(ShoeboxError):
    status = 415


class Invalid(ShoeboxError):
    status = 422


class Throttled(ShoeboxError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
