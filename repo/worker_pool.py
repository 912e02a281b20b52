"""The pool of image worker processes, and what each worker does when it starts.

Workers are spawned (not forked: the server has threads), one per CPU core by default. Each one
watches the process that started it and exits when that process is gone, even after a SIGKILL
or a crash: a spawned worker holds both ends of its job pipe, so it would otherwise wait for
work forever, and every hard stop of the server would leave its workers running.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait


def new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context('spawn'),
        initializer=exit_with_parent,
    )


def exit_with_parent() -> None:
    """Runs first in each worker: a daemon thread that ends the process when its parent ends."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not a child of multiprocessing (called directly)
        return

    def watch() -> None:
        wait([parent.sentinel])  # ready once the parent process has exited, however it ended
        os._exit(0)

    threading.Thread(target=watch, name='shoebox-parent-watch', daemon=True).start()
