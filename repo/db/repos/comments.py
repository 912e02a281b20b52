"""Queries on comments, and the images whose owner switched them off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from repo.db.tables import User
from repo.db.tables_sharing import Comment, CommentsOff


class CommentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, comment: Comment) -> Comment:
        self.session.add(comment)
        self.session.flush()
        return comment

    def get(self, comment_id: int) -> Comment | None:
        return self.session.get(Comment, comment_id)

    def of_image(self, image_id: str, limit: int = 500) -> list[tuple[Comment, str]]:
        """(comment, author's username), oldest first."""
        rows = self.session.exec(
            select(Comment, User.username)
            .join(User, col(User.id) == col(Comment.author_id))
            .where(col(Comment.image_id) == image_id)
            .order_by(col(Comment.created_at), col(Comment.id))
            .limit(limit)
        )
        return [(c, name) for c, name in rows]

    def delete(self, comment_id: int) -> None:
        self.session.exec(delete(Comment).where(col(Comment.id) == comment_id))

    def count_by_author_since(self, author_id: int, since: datetime) -> int:
        return int(
            self.session.exec(
                select(func.count()).where(
                    col(Comment.author_id) == author_id, col(Comment.created_at) > since
                )
            ).one()
        )

    def enabled(self, image_id: str) -> bool:
        return self.session.get(CommentsOff, image_id) is None

    def disabled_among(self, image_ids: Sequence[str]) -> set[str]:
        if not image_ids:
            return set()
        rows = self.session.exec(
            select(CommentsOff.image_id).where(col(CommentsOff.image_id).in_(image_ids))
        )
        return set(rows)

    def set_enabled(self, image_id: str, enabled: bool) -> None:
        if enabled:
            self.session.exec(delete(CommentsOff).where(col(CommentsOff.image_id) == image_id))
        elif self.session.get(CommentsOff, image_id) is None:
            self.session.add(CommentsOff(image_id=image_id))
            self.session.flush()
