"""`uv run main.py` takes its settings from the environment; given flags, it says so and where
the flags live instead of starting a server that ignores them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_main_py_with_flags_points_to_shoebox_serve() -> None:
    done = subprocess.run(
        [sys.executable, 'main.py', '--port', '9'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert 'shoebox serve --help' in done.stderr
    assert 'NiceGUI ready' not in done.stdout + done.stderr
