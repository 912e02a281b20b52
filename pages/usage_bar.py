"""A usage bar: how much of a quota is used (account page, admin page, upload page)."""

from __future__ import annotations

from nicegui import ui

from pages.markup import file_size, plural
from repo.container import Services
from repo.core.actor import Actor
from repo.core.schemas import UserPublic

WARN_AT = 0.8
FULL_AT = 0.98


def fraction(used: int, quota: int | None) -> float | None:
    """0..1 of the quota used; None when there is no quota."""
    if quota is None:
        return None
    if quota <= 0:
        return 1.0
    return min(1.0, used / quota)


def color_of(part: float | None) -> str:
    if part is None or part < WARN_AT:
        return 'primary'
    return 'negative' if part >= FULL_AT else 'warning'


def bytes_label(used: int, quota: int | None) -> str:
    if quota is None:
        return f'{file_size(used)} used (no limit)'
    return f'{file_size(used)} of {file_size(quota)}'


def images_label(used: int, quota: int | None) -> str:
    if quota is None:
        return f'{plural(used, "image")} (no limit)'
    return f'{used:,} of {plural(quota, "image")}'


def usage_bar(label: str, part: float | None, *, dense: bool = False) -> None:
    """A labelled bar (full width of its container); with no quota, the label alone."""
    column, caption = (
        ('w-full gap-0', 'text-xs opacity-80') if dense else ('w-full gap-1', 'text-sm')
    )
    with ui.column().classes(column):
        ui.label(label).classes(caption)
        if part is not None:
            bar = ui.linear_progress(value=part, show_value=False)
            bar.props('rounded')
            bar.props['size'] = '4px' if dense else '8px'
            bar.props['color'] = color_of(part)
            bar.props['aria-label'] = label


def usage_bars(
    bytes_used: int,
    quota_bytes: int | None,
    images: int,
    quota_images: int | None,
    *,
    dense: bool = False,
) -> None:
    """The storage bar and the images bar (each only a label when no quota applies)."""
    usage_bar(bytes_label(bytes_used, quota_bytes), fraction(bytes_used, quota_bytes), dense=dense)
    usage_bar(images_label(images, quota_images), fraction(images, quota_images), dense=dense)


def account_usage(services: Services, user: UserPublic) -> None:
    """The account page's storage card body: what the account uses of its quotas."""
    usage = services.quotas.usage(Actor.of(user))
    ui.label('Storage').classes('text-lg font-medium')
    usage_bars(usage.bytes_used, usage.quota_bytes, usage.images, usage.quota_images)
    if usage.quota_bytes is not None or usage.quota_images is not None:
        ui.label('Images in the trash count until it is emptied.').classes('text-sm opacity-70')
