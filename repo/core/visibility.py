"""Who may see an image. Its own module so that code that runs in the image worker processes
(tag rules via repo.validation) can use it without importing the database models."""

from __future__ import annotations

from enum import StrEnum


class Visibility(StrEnum):
    private = 'private'
    public = 'public'
