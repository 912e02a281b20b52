"""The access policy's view scope as SQL conditions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import col

from repo.core.policy import PUBLIC, ViewScope
from repo.db.tables import Image


def visible(scope: ViewScope) -> Any:
    """Images the scope may see: public ones, plus its owner's."""
    public = col(Image.visibility) == PUBLIC
    return public if scope.owner_id is None else or_(public, col(Image.owner_id) == scope.owner_id)


def visible_walking_date_index(scope: ViewScope) -> Any:
    """The same rule, written so that SQLite cannot use the visibility or owner index for it.

    'public OR mine' has no index in date order, so SQLite would fetch and sort every match
    (90 ms at 100k). On no-op expressions (`|| ''`, `+ 0`) it walks the date index instead and
    stops after a page. Only for an unfiltered page of a signed-in viewer.
    """
    if scope.owner_id is None:
        return visible(scope)
    return or_(
        col(Image.visibility).concat('') == PUBLIC,
        col(Image.owner_id) + 0 == scope.owner_id,
    )
