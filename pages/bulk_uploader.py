"""The upload page's uploader element: the browser side is bulk_uploader.js.

It sends files straight to `POST /api/v1/images` (same origin, the session cookie), a few at a
time; the server notes each outcome in this browser's upload log. Python's part is small: hand
the component the batch settings, and take the browser's reports of files that never reached
the server (acknowledged through the `acked` prop, so none is lost to a reconnect).
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import events, ui

from pages.upload_log import Entry
from pages.upload_outcomes import browser_entries

ENDPOINT = '/api/v1/images'
Reported = Callable[[list[Entry]], None]


class BulkUploader(ui.element, component='bulk_uploader.js', dependencies=['upload_view.js']):
    def __init__(
        self,
        *,
        max_bytes: int,
        limit: str,
        hint: str,
        accept: str,
        on_report: Reported,
        on_idle: Callable[[], None],
    ) -> None:
        super().__init__()
        self.props['endpoint'] = ENDPOINT
        self.props['max_bytes'] = max_bytes
        self.props['limit'] = limit
        self.props['hint'] = hint
        self.props['accept'] = accept
        self.props['settings'] = {}
        self.props['acked'] = 0
        self._on_report = on_report
        self.on('report', self._report)
        self.on('idle', lambda: on_idle())

    def set_settings(self, visibility: str, tags: str, description: str) -> None:
        """What every file of the next requests is sent with (read by the browser per file)."""
        self.props['settings'] = {
            'visibility': visibility,
            'tags': tags,
            'description': description,
        }
        self.update()

    @property
    def settings(self) -> dict[str, str]:
        return dict(self.props['settings'])

    def _report(self, e: events.GenericEventArguments) -> None:
        self._on_report(browser_entries(e.args))
        seq = e.args.get('seq') if isinstance(e.args, dict) else None
        if isinstance(seq, int) and seq > self.props['acked']:
            self.props['acked'] = seq
            self.update()
