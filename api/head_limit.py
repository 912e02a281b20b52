"""A cap on the request head (request line and headers): 431 beyond it, before it is all read.

uvicorn's httptools protocol keeps a header in memory until it ends, however long it is (a
20 MB header line was accepted), and no ASGI middleware runs before the whole head has arrived.
So the cap sits in the protocol: bytes are counted while a head is being parsed, and once they
cross the cap the client gets `431 Request Header Fields Too Large` and the connection closes.
Bodies are not counted here (the body limits are api/guards.py's).
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024  # nginx allows 4 x 8 KB header lines by default, h11 16 KB
MESSAGE = 'The request line and headers are larger than 64 KB'


def _response_431() -> bytes:
    body = json.dumps({'detail': MESSAGE}).encode()
    head = (
        'HTTP/1.1 431 Request Header Fields Too Large\r\n'
        'content-type: application/json\r\n'
        f'content-length: {len(body)}\r\n'
        'x-content-type-options: nosniff\r\n'
        'connection: close\r\n\r\n'
    )
    return head.encode('ascii') + body


class BoundedHeadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with MAX_HEAD_BYTES per request head (`ui.run(http=...)`)."""

    max_head_bytes = MAX_HEAD_BYTES

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0
        self._refused = False

    # Between the end of one head and the end of its message the bytes are body; any others
    # (also those before a keep-alive connection's next request) count towards a head.
    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True

    def data_received(self, data: bytes) -> None:
        """Feed the parser at most the head's remaining allowance at a time while in a head."""
        while data and not self._refused:
            if not self._in_head:
                super().data_received(data)
                return
            room = self.max_head_bytes - self._head_bytes
            if room <= 0:
                self._refuse()
                return
            piece, data = data[:room], data[room:]
            self._head_bytes += len(piece)
            super().data_received(piece)
            if self.parser is None or self.transport.get_protocol() is not self:
                return  # closed, or upgraded to a websocket
        if self._in_head and self._head_bytes >= self.max_head_bytes and not self._refused:
            self._refuse()

    def _refuse(self) -> None:
        self._refused = True
        self.logger.warning('Refused a request head over %d bytes', self.max_head_bytes)
        if not self.transport.is_closing():
            self.transport.write(_response_431())
            self.transport.close()
