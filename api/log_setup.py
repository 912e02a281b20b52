"""The server's log: one line per request (api.request_log) and per background job, as text or
as JSON lines (`SHOEBOX_LOG_FORMAT=json`), on standard error.

A last filter scrubs what looks like a credential from every line (a bearer token, a
`password=`/`token=`/`key=` pair), in case one ever reaches a message; the lines Shoebox writes
itself name routes and ids, never secrets. Uvicorn's own access log is turned off (main.py):
it prints the path with its query string, which can carry a reset link's token.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

OURS = ('shoebox', 'repo', 'api', 'pages', 'search_index')
EXTRA_KEYS = ('route', 'method', 'status', 'ms', 'job')
_SECRETS = re.compile(
    r'(?i)(bearer\s+)[^\s,;"\']+|((?:password|passwd|token|secret|key|share_key)=)[^&\s"\']+'
)


def scrub(text: str) -> str:
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + '[redacted]', text)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__('%(asctime)s %(levelname)s %(name)s: %(message)s')

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            'time': datetime.fromtimestamp(record.created, UTC).isoformat(timespec='milliseconds'),
            'level': record.levelname.lower(),
            'logger': record.name,
            'message': scrub(record.getMessage()),
        }
        for key in EXTRA_KEYS:
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line['error'] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: str) -> None:
    """Our loggers at INFO (requests, jobs), everyone else's at WARNING, one handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == 'json' else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in OURS:
        logging.getLogger(name).setLevel(logging.INFO)
