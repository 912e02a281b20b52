"""The admin page's settings (in force at once, in every process) and its audit log."""

from __future__ import annotations

import json
from typing import Any

from nicegui import run, ui

from pages import local_time
from pages.session import acting_user
from repo.container import Services
from repo.core.actor import Actor
from repo.core.errors import ShoeboxError

GB = 1_000_000_000
MB = 1_000_000
MP = 1_000_000
AUDIT_ROWS = 200
AUDIT_COLUMNS = [
    {
        'name': 'when',
        'label': 'When',
        'field': 'when',
        'align': 'left',
        'style': 'white-space: nowrap',
    },
    {'name': 'who', 'label': 'Who', 'field': 'who', 'align': 'left'},
    {'name': 'what', 'label': 'What', 'field': 'what', 'align': 'left'},
    {'name': 'whom', 'label': 'Whom', 'field': 'whom', 'align': 'left'},
    {'name': 'details', 'label': 'Details', 'field': 'details', 'align': 'left'},
]


def _admin(services: Services, session: str | None) -> Actor | None:
    user = acting_user(services, session)
    return Actor.of(user) if user is not None and user.is_admin else None


class SettingsPanel:
    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        actor = _admin(services, session)
        values = services.runtime.view(actor) if actor is not None else {}
        with ui.card().props('flat bordered').classes('w-full max-w-2xl gap-3').mark('settings'):
            ui.label('Settings').classes('text-lg font-medium')
            ui.label('Changes apply at once, without a restart.').classes('text-sm opacity-70')
            self.signup = ui.switch(
                'Anyone may sign up', value=bool(values.get('open_signup'))
            ).mark('setting-open-signup')
            with ui.element('div').classes('grid gap-3 w-full sm:grid-cols-2'):
                self.quota_gb = number(
                    'Default storage quota, GB', _scaled(values.get('default_quota_bytes'), GB),
                    'Per account; empty: unlimited', 'setting-quota-gb', step=0.1,
                )  # fmt: skip
                self.quota_images = number(
                    'Default image quota', values.get('default_quota_images'),
                    'Per account; empty: unlimited', 'setting-quota-images', precision=0,
                )  # fmt: skip
                self.trash_days = number(
                    'Days in the trash', values.get('trash_days'),
                    '0: deleting is for good at once', 'setting-trash-days', precision=0,
                )  # fmt: skip
                self.max_file_mb = number(
                    'Largest file, MB', _scaled(values.get('max_file_bytes'), MB),
                    'Per upload', 'setting-max-file', step=1,
                )  # fmt: skip
                self.max_mp = number(
                    'Largest image, megapixels', _scaled(values.get('max_pixels'), MP),
                    'Width \u00d7 height', 'setting-max-pixels', step=1,
                )  # fmt: skip
            ui.button('Save settings', icon='save', on_click=self.save).props(
                'unelevated no-caps'
            ).mark('save-settings')

    def changes(self) -> dict[str, Any]:
        def whole(value: Any, unit: int = 1) -> int | None:
            return None if value in (None, '') else round(float(value) * unit)

        return {
            'open_signup': bool(self.signup.value),
            'default_quota_bytes': whole(self.quota_gb.value, GB),
            'default_quota_images': whole(self.quota_images.value),
            'trash_days': whole(self.trash_days.value),
            'max_file_bytes': whole(self.max_file_mb.value, MB),
            'max_pixels': whole(self.max_mp.value, MP),
        }

    async def save(self) -> None:
        actor = _admin(self.services, self.session)
        if actor is None:
            return
        try:
            await run.io_bound(self.services.runtime.update, actor, self.changes())
        except ShoeboxError as exc:
            ui.notify(exc.message, type='negative')
            return
        ui.notify('Settings saved', type='positive')


class AuditPanel:
    def __init__(self, services: Services, session: str | None, tabs: Any, tab: Any) -> None:
        self.services = services
        self.session = session
        with ui.card().props('flat bordered').classes('w-full gap-2'):
            with ui.row().classes('w-full items-center'):
                ui.label('Audit log').classes('text-lg font-medium')
                ui.space()
                ui.button(icon='refresh', on_click=self.refresh).props(
                    'flat round dense aria-label="Refresh the audit log"'
                )
            self.table = (
                ui.table(columns=AUDIT_COLUMNS, rows=[], row_key='id', pagination=20)
                .props('flat dense wrap-cells')
                .classes('w-full')
                .mark('audit')
            )
        tabs.on_value_change(lambda e: self.refresh() if e.value == tab.props['name'] else None)
        self.refresh()

    def refresh(self) -> None:
        actor = _admin(self.services, self.session)
        if actor is None:
            return
        records = self.services.audit.page(actor, limit=AUDIT_ROWS)
        self.table.rows = [
            {
                'id': r.id,
                'when': local_time.stamp(r.when),
                'who': r.who,
                'what': r.what,
                'whom': r.whom,
                'details': json.dumps(r.details, sort_keys=True) if r.details else '',
            }
            for r in records
        ]


def number(label: str, value: Any, hint: str, marker: str, **kwargs: Any) -> ui.number:
    field = ui.number(label, value=value, min=0, **kwargs).props('outlined dense clearable')
    field.props['hint'] = hint
    return field.classes('w-full').mark(marker)


def _scaled(value: int | None, unit: int) -> float | None:
    return None if value is None else round(value / unit, 3)
