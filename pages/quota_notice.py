"""The upload page's warning before a batch that will not fit the account's quota.

A small piece the upload page calls (it does not know how the page picks files):
`QuotaNotice(services, session)` shows the account's room; `notice.check(sizes)` with the byte
sizes of the files about to go says whether they fit, before any byte is sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from nicegui import ui

from pages.markup import file_size, plural
from repo.container import Services
from repo.core.actor import Actor
from repo.core.schemas_admin import UsagePublic


def shortfall(usage: UsagePublic, sizes: Sequence[int]) -> str | None:
    """Why this batch will not fit, or None when it does (or no quota applies)."""
    total = sum(max(0, s) for s in sizes)
    if usage.quota_images is not None and usage.images + len(sizes) > usage.quota_images:
        room = max(0, usage.quota_images - usage.images)
        return (
            f'{plural(len(sizes), "file")} will not all fit: there is room for '
            f'{plural(room, "more image")} ({usage.images:,} of {usage.quota_images:,} used).'
        )
    if usage.quota_bytes is not None and usage.bytes_used + total > usage.quota_bytes:
        room = max(0, usage.quota_bytes - usage.bytes_used)
        return (
            f'These files ({file_size(total)}) will not all fit: {file_size(room)} left of '
            f'your {file_size(usage.quota_bytes)}.'
        )
    return None


class QuotaNotice:
    """A warning banner, hidden until a batch will not fit."""

    def __init__(self, services: Services, session: str | None) -> None:
        self.services = services
        self.session = session
        with ui.row().classes('w-full items-center gap-2 no-wrap') as self.banner:
            ui.icon('warning', color='warning')
            self.text = ui.label('').classes('text-sm').props('role=alert')
        self.banner.classes('rounded-borders q-pa-sm bg-orange-1 text-orange-10')
        self.banner.mark('quota-warning')
        self.banner.visible = False

    def usage(self) -> UsagePublic | None:
        user = self.services.signin.session_user(self.session)
        return self.services.quotas.usage(Actor.of(user)) if user is not None else None

    def check(self, sizes: Sequence[int]) -> bool:
        """Show the warning if these files will not all fit; True when they do."""
        usage = self.usage()
        problem = shortfall(usage, sizes) if usage is not None and sizes else None
        if problem:
            self.text.text = f'{problem} Files past your quota will be refused.'
        self.banner.visible = problem is not None
        return problem is None


# For a Quasar uploader's 'added' event: the sizes of the files just picked.
SIZES_JS = '(files) => emit((files || []).map((f) => f.size || 0))'


def sizes_of(args: object) -> list[int]:
    """The sizes sent by SIZES_JS (anything else counts as nothing)."""
    if not isinstance(args, list):
        return []
    return [int(a) for a in args[:100_000] if isinstance(a, int | float) and a >= 0]
