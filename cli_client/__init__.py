"""The `shoebox` HTTP client: commands that talk to a running server over API v1."""

from __future__ import annotations

from cli_client.commands import register

__all__ = ['register']
