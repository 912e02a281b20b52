"""/admin: the administrator's page. Accounts, settings, the audit log and the figures.

Only for administrators: anyone else signed in gets a 404 (the page does not exist for them),
and a visitor who is not signed in is sent to sign in first.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import context, ui

from pages.admin_settings import AuditPanel, SettingsPanel
from pages.admin_users import UsersPanel
from pages.layout import frame
from pages.markup import file_size
from pages.session import current_user, here, redirect_to_sign_in, session_id
from repo.container import Services
from repo.core.actor import Actor
from repo.core.schemas import UserPublic


def page_not_found(services: Services, user: UserPublic | None) -> None:
    context.client.status_code = 404
    with (
        frame(services, user, title='Not found'),
        ui.column().classes('w-full items-center text-center gap-3 py-20').mark('not-found'),
    ):
        ui.icon('search_off', size='64px').classes('opacity-50')
        ui.label('Page not found').classes('text-2xl font-medium')
        ui.button('Back to the gallery', on_click=lambda: ui.navigate.to('/')).props(
            'unelevated no-caps'
        )


def stats_row(services: Services, actor: Actor) -> None:
    stats = services.admin.stats(actor)
    figures = [
        ('Accounts', f'{stats.users:,}', 'group'),
        ('Images', f'{stats.images:,}', 'photo_library'),
        ('Stored', file_size(stats.bytes), 'storage'),
        ('Index work pending', f'{stats.pending_index_work:,}', 'manage_search'),
        ('Image jobs queued', f'{stats.jobs_queued:,}', 'pending_actions'),
    ]
    with ui.element('div').classes('sb-admin-stats w-full').mark('stats'):
        for label, value, icon in figures:
            with ui.card().props('flat bordered').classes('gap-0 px-3 py-2 min-w-0'):
                with ui.row().classes('items-center gap-2 no-wrap min-w-0'):
                    ui.icon(icon, size='18px').classes('opacity-60')
                    ui.label(label).classes('text-xs opacity-70 ellipsis')
                ui.label(value).classes('text-lg font-medium')


def create(services: Services) -> None:
    @ui.page('/admin')
    def admin_page(request: Request, tab: str = 'users') -> RedirectResponse | None:
        user = current_user(services)
        if user is None:
            return redirect_to_sign_in(request)
        if not user.is_admin:
            page_not_found(services, user)
            return None
        session = session_id()
        base_url = str(request.base_url).rstrip('/')
        with frame(services, user, title='Administration', next_path=here(request)):
            ui.label('Administration').classes('text-2xl font-medium')
            stats_row(services, Actor.of(user))
            with ui.tabs().props('align=left no-caps').classes('w-full') as tabs:
                users_tab = ui.tab('users', 'Accounts').mark('tab-users')
                settings_tab = ui.tab('settings', 'Settings').mark('tab-settings')
                audit_tab = ui.tab('audit', 'Audit log').mark('tab-audit')
            chosen = {'settings': settings_tab, 'audit': audit_tab}.get(tab, users_tab)
            with ui.tab_panels(tabs, value=chosen).classes('w-full bg-transparent'):
                with ui.tab_panel(users_tab).classes('px-0'):
                    UsersPanel(services, session, base_url)
                with ui.tab_panel(settings_tab).classes('px-0'):
                    SettingsPanel(services, session)
                with ui.tab_panel(audit_tab).classes('px-0'):
                    AuditPanel(services, session, tabs, audit_tab)
        return None
