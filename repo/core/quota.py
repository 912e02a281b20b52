"""Quotas: how much an account stores, what it may store, and whether an upload fits.

Usage is the sum of the sizes of the account's originals and their count, trash included
(every image row of the owner); the same bytes owned by two accounts count for each.
"""

from __future__ import annotations

from dataclasses import dataclass

from repo.core.errors import QuotaExceeded


@dataclass(frozen=True)
class Usage:
    bytes_used: int
    images: int
    quota_bytes: int | None  # the quota that applies; None: unlimited
    quota_images: int | None

    @property
    def limited(self) -> bool:
        return self.quota_bytes is not None or self.quota_images is not None

    def fits(self, add_bytes: int, add_images: int = 1) -> bool:
        if self.quota_bytes is not None and self.bytes_used + add_bytes > self.quota_bytes:
            return False
        return self.quota_images is None or self.images + add_images <= self.quota_images

    def check(self, add_bytes: int, add_images: int = 1) -> None:
        """QuotaExceeded (507) when adding this would pass a quota."""
        if not self.fits(add_bytes, add_images):
            raise QuotaExceeded(
                quota_bytes=self.quota_bytes,
                used_bytes=self.bytes_used,
                quota_images=self.quota_images,
                used_images=self.images,
                adding_bytes=add_bytes,
            )


def effective_quota(own: int | None, default: int | None) -> int | None:
    """The account's own quota when it has one, else the instance default (None: unlimited)."""
    return own if own is not None else default
