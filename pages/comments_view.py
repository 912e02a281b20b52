"""The comments under an image: newest last, shown as text, live (asked again every few seconds,
so comments made in any process appear); delete for the author and the image's owner."""

from __future__ import annotations

from nicegui import run, ui

from pages import markup
from pages.session import acting_user, session_id
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas import ImagePublic, UserPublic
from repo.core.schemas_sharing import CommentPublic

REFRESH_S = 4.0


class CommentsView:
    def __init__(self, services: Services, viewer: UserPublic | None, image: ImagePublic) -> None:
        self.services = services
        self.viewer = viewer
        self.image = image
        self.session = session_id()
        self.shown: list[tuple[int, bool]] = []
        self.enabled = True
        with ui.card().classes('w-full gap-2').props('flat bordered').mark('comments'):
            with ui.row().classes('w-full items-center'):
                ui.label('Comments').classes('text-lg font-medium grow')
                if viewer is not None and viewer.id == image.owner_id:
                    self.switch = ui.switch('Allow comments', on_change=self.toggle).mark(
                        'comments-switch'
                    )
            self.list = ui.column().classes('w-full gap-2')
            self.form = ui.column().classes('w-full gap-1')
        ui.timer(REFRESH_S, self.refresh)

    def _actor(self) -> Actor:
        return Actor.of(self.viewer)

    async def refresh(self, force: bool = False) -> None:
        try:
            items = await run.io_bound(self.services.comments.list, self._actor(), self.image.id)
            enabled = await run.io_bound(
                self.services.comments.enabled, self._actor(), self.image.id
            )
        except ShoeboxError:
            return  # the image went away (deleted, made private)
        if items is None:
            return
        shown = [(c.id, c.may_delete) for c in items]
        if not force and shown == self.shown and enabled == self.enabled:
            return
        self.shown, self.enabled = shown, bool(enabled)
        if hasattr(self, 'switch'):
            self.switch.set_value(self.enabled)
        self.render(items)

    def render(self, items: list[CommentPublic]) -> None:
        self.list.clear()
        with self.list:
            if not items:
                ui.label('No comments yet.').classes('opacity-70 text-sm')
            for comment in items:
                with ui.row().classes('w-full items-start no-wrap gap-2').mark('comment'):
                    with ui.column().classes('grow gap-0 min-w-0'):
                        ui.label(f'@{comment.author} · {markup.when(comment.created_at)}').classes(
                            'text-xs opacity-70'
                        )
                        ui.label(comment.text).classes('sb-comment-text').mark('comment-text')
                    if comment.may_delete:
                        ui.button(
                            icon='delete', on_click=lambda c=comment.id: self.delete(c)
                        ).props('flat round dense aria-label="Delete comment"').mark(
                            'delete-comment'
                        )
        self.form.clear()
        with self.form:
            if not self.enabled:
                ui.label('Comments are off for this image.').classes('text-sm opacity-70')
            elif self.viewer is None:
                ui.label('Sign in to comment.').classes('text-sm opacity-70')
            else:
                box = (
                    ui.textarea(placeholder='Write a comment')
                    .props('outlined autogrow maxlength=2000 counter')
                    .classes('w-full')
                    .mark('comment-input')
                )
                ui.button('Post', on_click=lambda: self.post(box)).props('unelevated no-caps').mark(
                    'post-comment'
                )

    async def post(self, box: ui.textarea) -> None:
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            await run.io_bound(self.services.comments.add, Actor.of(user), self.image.id, box.value)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        await self.refresh(force=True)

    async def delete(self, comment_id: int) -> None:
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            await run.io_bound(self.services.comments.delete, Actor.of(user), comment_id)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
        await self.refresh(force=True)

    async def toggle(self, e) -> None:  # type: ignore[no-untyped-def]
        if bool(e.value) == self.enabled:
            return
        user = acting_user(self.services, self.session)
        if user is None:
            return
        try:
            await run.io_bound(
                self.services.comments.set_enabled, Actor.of(user), self.image.id, bool(e.value)
            )
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
        await self.refresh(force=True)
