"""Comments under images: whoever may see an image reads them; signed-in users write them
(plain text, 1 to 2,000 characters, at most RATE_LIMIT a minute per account); the author or
the image's owner deletes them; the owner can switch them off per image. A private image's
comments are as invisible as the image (the same 404).

The image page shows new comments live by asking again every few seconds (so viewers in every
process see them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from repo.core import policy
from repo.core.actor import Actor
from repo.core.errors import Invalid, NotFound, Throttled
from repo.core.schemas_sharing import CommentPublic
from repo.core.validation import clean_text
from repo.db.tables import utcnow
from repo.db.tables_sharing import Comment
from repo.services.images import visible_row

MAX_TEXT = 2000
RATE_LIMIT = 10
RATE_WINDOW = timedelta(minutes=1)


class CommentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__('Comment not found')


class CommentService:
    def __init__(self, uow: Callable[[], Any], *, now: Callable[[], datetime] = utcnow) -> None:
        self.uow = uow
        self.now = now

    def list(self, actor: Actor, image_id: str) -> list[CommentPublic]:
        policy.require_read(actor)
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
            return [
                self._public(actor, c, name, image.owner_id)
                for c, name in tx.comments.of_image(image.id)
            ]

    def enabled(self, actor: Actor, image_id: str) -> bool:
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
            return tx.comments.enabled(image.id)

    def add(self, actor: Actor, image_id: str, text: str) -> CommentPublic:
        policy.require_user(actor)
        text = check_comment(text)
        now = self.now()
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
            author_id = policy.require_comment(actor, tx.comments.enabled(image.id))
            recent = tx.comments.count_by_author_since(author_id, now - RATE_WINDOW)
            if recent >= RATE_LIMIT:
                raise Throttled('More than 10 comments a minute; wait a little', 60)
            comment = tx.comments.add(
                Comment(image_id=image.id, author_id=author_id, text=text, created_at=now)
            )
            author = tx.users.get(author_id)
            out = self._public(actor, comment, author.username if author else '', image.owner_id)
        return out

    def delete(self, actor: Actor, comment_id: int) -> None:
        """By the author or the image's owner; anyone else (or a comment on an image they may
        not see) gets the same 404 as for a missing comment."""
        policy.require_user(actor)
        with self.uow() as tx:
            comment = tx.comments.get(comment_id) if isinstance(comment_id, int) else None
            if comment is None:
                raise CommentNotFound()
            image = tx.images.get(comment.image_id)
            if image is None or not policy.can_view(actor, image.owner_id, image.visibility):
                raise CommentNotFound()
            if not policy.may_delete_comment(actor, comment.author_id, image.owner_id):
                raise CommentNotFound()
            tx.comments.delete(comment.id)

    def set_enabled(self, actor: Actor, image_id: str, enabled: bool) -> None:
        with self.uow() as tx:
            image = visible_row(tx, actor, image_id)
            policy.require_edit(actor, image.owner_id, image.visibility)
            tx.comments.set_enabled(image.id, enabled)

    @staticmethod
    def _public(actor: Actor, comment: Comment, author: str, owner_id: int) -> CommentPublic:
        assert comment.id is not None
        return CommentPublic(
            id=comment.id, image_id=comment.image_id, author=author, text=comment.text,
            created_at=policy.as_utc(comment.created_at),
            may_delete=policy.may_delete_comment(actor, comment.author_id, owner_id),
        )  # fmt: skip


def check_comment(text: object) -> str:
    if not isinstance(text, str):
        raise Invalid('A comment is text')
    text = clean_text(text).strip()
    if not text:
        raise Invalid('A comment cannot be empty')
    if len(text) > MAX_TEXT:
        raise Invalid(f'The comment is {len(text)} characters long; at most {MAX_TEXT} are allowed')
    return text
