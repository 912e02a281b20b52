"""The accounts of the admin page: search, usage bars, and per account: promote or demote,
disable or enable, quota, a reset link (with a copy button), delete (typed confirmation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from pages import local_time, markup
from pages.dialogs import confirm
from pages.session import acting_user
from pages.usage_bar import usage_bars
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError
from repo.core.schemas_admin import AccountChanges, AccountSummary

GB = 1_000_000_000


class UsersPanel:
    def __init__(self, services: Services, session: str | None, base_url: str) -> None:
        self.services = services
        self.session = session
        self.base_url = base_url
        with ui.row().classes('w-full items-center gap-2'):
            self.search = (
                ui.input(placeholder='Search accounts by name or email')
                .props('outlined dense clearable debounce=250 maxlength=100 type=search')
                .classes('grow max-w-md')
                .mark('user-search')
            )
            with self.search.add_slot('prepend'):
                ui.icon('search')
            self.count = ui.label('').classes('text-sm opacity-70')
        self.search.on_value_change(self.refresh)
        with ui.card().props('flat bordered').classes('w-full p-0 gap-0'):
            with ui.element('div').classes('sb-admin-user sb-admin-head w-full'):
                for name in ('Account', 'Status', 'Storage', 'Last seen', ''):
                    ui.label(name)
            self.rows = ui.column().classes('w-full gap-0').mark('user-rows')
        # Dialogs live here, not inside the menu that opened them (it closes, and the rows are
        # rebuilt after each change).
        self.host = ui.element('div')
        self.refresh()

    # ---- rendering --------------------------------------------------------------------------

    def actor(self) -> Actor | None:
        user = acting_user(self.services, self.session)
        return Actor.of(user) if user is not None and user.is_admin else None

    def refresh(self) -> None:
        actor = self.actor()
        if actor is None:
            return
        accounts = self.services.admin.list_users(actor, self.search.value or '')
        self.count.text = markup.plural(len(accounts), 'account')
        self.rows.clear()
        with self.rows:
            if not accounts:
                ui.label('No account matches.').classes('p-4 opacity-70')
            for account in accounts:
                self._row(account, actor)

    def _row(self, account: AccountSummary, actor: Actor) -> None:
        row = ui.element('div').classes('sb-admin-user w-full')
        row.mark('user-row', f'row-{account.username}')  # usernames are [a-z0-9_.-]
        row.props['data-username'] = account.username
        with row:
            with ui.column().classes('gap-0 min-w-0'):
                ui.label(account.display_name).classes('font-medium ellipsis')
                ui.label(f'@{account.username}').classes('text-sm opacity-70 ellipsis')
                if account.email:
                    ui.label(account.email).classes('text-xs opacity-60 ellipsis')
            with ui.row().classes('gap-1'):
                if account.is_admin:
                    ui.badge('Admin', color='primary').props('outline').mark('badge-admin')
                if account.disabled:
                    ui.badge('Disabled', color='negative').mark('badge-disabled')
                if account.id == actor.user_id:
                    ui.badge('You', color='grey-7').props('outline')
            with ui.column().classes('sb-admin-usage gap-1 min-w-0'):
                usage_bars(
                    account.bytes_used,
                    account.effective_quota_bytes,
                    account.images,
                    account.effective_quota_images,
                    dense=True,
                )
            seen = local_time.when(account.last_seen_at) if account.last_seen_at else 'never'
            with ui.element('div').classes('sb-admin-seen text-xs opacity-70'):
                ui.html('<span class="sb-admin-seen-label">Last seen </span>', sanitize=False)
                ui.label(seen).classes('inline')
            with ui.element('div').classes('sb-admin-actions'):
                self._menu(account)

    def _menu(self, account: AccountSummary) -> None:
        name = account.username
        button = ui.button(icon='more_vert').props('flat round dense').mark('user-actions')
        button.props['aria-label'] = f'Actions for {name}'
        with button, ui.menu().props('anchor="bottom right" self="top right"'):
            if account.is_admin:
                self.item('Remove administrator', self.demote, account, 'demote')
            else:
                self.item('Make administrator', self.promote, account, 'promote')
            if account.disabled:
                self.item('Enable', self.enable, account, 'enable')
            else:
                self.item('Disable', self.disable, account, 'disable')
            self.item('Quota…', self.edit_quota, account, 'quota')
            self.item('Password reset link…', self.reset_link, account, 'reset-link')
            ui.separator()
            self.item('Delete…', self.delete, account, 'delete-user', danger=True)

    def item(
        self,
        text: str,
        action: Callable[[AccountSummary], Awaitable[None]],
        account: AccountSummary,
        marker: str,
        *,
        danger: bool = False,
    ) -> None:
        async def run_in_host() -> None:
            with self.host:
                await action(account)

        entry = ui.menu_item(text, run_in_host).mark(marker)
        if danger:
            entry.classes('text-negative')

    # ---- actions ----------------------------------------------------------------------------

    async def change(self, username: str, **values: Any) -> bool:
        actor = self.actor()
        if actor is None:
            return False
        changes = AccountChanges(**values, fields_set=frozenset(values))
        try:
            await run.io_bound(self.services.admin.update_user, actor, username, changes)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return False
        ui.notify(f'@{username} updated', type='positive')
        self.refresh()
        return True

    async def promote(self, account: AccountSummary) -> None:
        await self.change(account.username, is_admin=True)

    async def enable(self, account: AccountSummary) -> None:
        await self.change(account.username, disabled=False)

    async def demote(self, account: AccountSummary) -> None:
        if await confirm(
            f'Remove @{account.username} as administrator?',
            'They keep their account and images, and lose this page.',
            'Remove administrator',
        ):
            await self.change(account.username, is_admin=False)

    async def disable(self, account: AccountSummary) -> None:
        if await confirm(
            f'Disable @{account.username}?',
            'They are signed out at once and cannot sign in; their tokens stop working. '
            'Their images stay. You can enable the account again.',
            'Disable',
            danger=True,
        ):
            await self.change(account.username, disabled=True)

    async def edit_quota(self, account: AccountSummary) -> None:
        limits = self.services.limits()
        default_gb = limits.default_quota_bytes
        default_images = limits.default_quota_images
        with (
            ui.dialog() as dialog,
            ui.card().classes('w-[420px] max-w-full gap-3').mark('quota-dialog'),
        ):
            ui.label(f'Quota of @{account.username}').classes('text-lg font-medium')
            ui.label(
                f'Uses {markup.file_size(account.bytes_used)} in '
                f'{markup.plural(account.images, "image")}. Leave a field empty for the '
                f'default ({_default_text(default_gb, default_images)}).'
            ).classes('text-sm opacity-80')
            size = (
                ui.number('Storage, GB', value=_gb(account.quota_bytes), min=0, step=0.1)
                .props('outlined dense clearable')
                .classes('w-full')
                .mark('quota-gb')
            )
            count = (
                ui.number('Images', value=account.quota_images, min=0, step=1, precision=0)
                .props('outlined dense clearable')
                .classes('w-full')
                .mark('quota-images')
            )
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat no-caps')
                ui.button('Save', on_click=lambda: dialog.submit(True)).props(
                    'unelevated no-caps'
                ).mark('quota-save')
        saved = await dialog
        dialog.delete()
        if saved is not True:
            return
        quota_bytes = None if size.value in (None, '') else round(float(size.value) * GB)
        quota_images = None if count.value in (None, '') else int(count.value)
        await self.change(account.username, quota_bytes=quota_bytes, quota_images=quota_images)

    async def reset_link(self, account: AccountSummary) -> None:
        actor = self.actor()
        if actor is None:
            return
        try:
            link = await run.io_bound(self.services.resets.create_link, actor, account.username)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        if link is None:
            return
        url = self.base_url + link.path
        with (
            ui.dialog() as dialog,
            ui.card().classes('w-[560px] max-w-full gap-3').mark('reset-dialog'),
        ):
            ui.label(f'Password reset link for @{account.username}').classes('text-lg font-medium')
            ui.label(
                f'Works once, until {local_time.when(link.expires_at)}. Hand it to them yourself; '
                'it is shown only now. Using it signs them out everywhere.'
            ).classes('text-sm opacity-80')
            field = (
                ui.input(value=url)
                .props('outlined readonly dense')
                .classes('w-full font-mono')
                .mark('reset-url')
            )
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(
                    'Copy',
                    icon='content_copy',
                    on_click=lambda: (ui.clipboard.write(field.value or ''), ui.notify('Copied')),
                ).props('flat no-caps').mark('copy-reset')
                ui.button('Done', on_click=dialog.close).props('unelevated no-caps')
        dialog.on('hide', dialog.delete)
        dialog.open()
        self.refresh()

    async def delete(self, account: AccountSummary) -> None:
        name = account.username
        with ui.dialog() as dialog, ui.card().classes('max-w-md gap-3').mark('confirm-delete'):
            ui.label(f'Delete @{name}?').classes('text-lg font-medium')
            ui.label(
                f'This deletes the account and {markup.plural(account.images, "image")} '
                f'({markup.file_size(account.bytes_used)}). It cannot be undone.'
            )
            typed = (
                ui.input(f'Type {name} to confirm')
                .props('outlined autofocus')
                .classes('w-full')
                .mark('confirm-username')
            )
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat no-caps')
                go = (
                    ui.button('Delete account', on_click=lambda: dialog.submit(True))
                    .props('unelevated no-caps color=negative')
                    .mark('confirm-delete-user')
                )
                go.bind_enabled_from(typed, 'value', lambda v: v == name)
        confirmed = await dialog
        dialog.delete()
        actor = self.actor()
        if confirmed is not True or typed.value != name or actor is None:
            return
        try:
            await run.io_bound(self.services.accounts.delete_user, actor, account.id)
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        ui.notify(f'@{name} deleted', type='positive')
        self.refresh()


def _gb(value: int | None) -> float | None:
    return None if value is None else round(value / GB, 3)


def _default_text(quota_bytes: int | None, quota_images: int | None) -> str:
    size = markup.file_size(quota_bytes) if quota_bytes is not None else 'unlimited storage'
    count = markup.plural(quota_images, 'image') if quota_images is not None else 'no image limit'
    return f'{size}, {count}'
