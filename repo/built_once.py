"""`built_once`: a lazily built part of an object, made once even when several threads ask at
the same moment (the owner holds a `build_lock`). The composition root builds every adapter so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar('T')


class built_once(Generic[T]):
    """A lazily built part, made once even when several threads ask at the same moment."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __get__(self, owner: Any, owner_type: type | None = None) -> T:
        if owner is None:
            return self  # type: ignore[return-value]
        with owner.build_lock:
            if self.name not in owner.__dict__:
                owner.__dict__[self.name] = self.build(owner)
            return owner.__dict__[self.name]
