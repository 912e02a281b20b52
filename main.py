"""Wiring only: settings -> Library -> pages + api -> ui.run().

The imports live inside the functions: the Library's image workers are spawned processes, and
each of them imports this file again (as `__mp_main__`) before its first job. With the web
framework imported up here, every worker paid ~3 s of CPU and ~100 MB of memory for modules
it never uses.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from repo.config import Settings

if TYPE_CHECKING:
    from repo.library import Library


def build(settings: Settings) -> Library:
    """Create the Library and register every page and API route on NiceGUI's app."""
    from nicegui import app

    import api
    import pages
    from repo.library import Library

    library = Library(settings)
    app.state.library = library  # for tests and benchmarks that drive the running app
    app.on_startup(library.start_workers)
    app.on_startup(settle_memory)
    app.on_shutdown(library.close)
    api.register(
        app,
        library,
        session_user=pages.session_user(library),
        upload_observer=pages.upload_observer(library),
    )
    pages.register(library)
    return library


def settle_memory() -> None:
    """Exempt everything made while starting (modules, the app, its routes: hundreds of thousands
    of objects) from the cyclic garbage collector, which otherwise walks all of them again in
    each full collection. Profiling a bulk upload found ~4% of the server's CPU in the collector.
    """
    gc.collect()
    gc.freeze()


def use_data_dir_for_browser_storage(settings: Settings) -> None:
    """NiceGUI's server-side user storage goes into the data dir too (one folder to back up).

    Not under the test simulation, whose plugin already points it at a temporary folder.
    """
    from nicegui import app, helpers
    from nicegui.storage import Storage

    if helpers.is_user_simulation():
        return
    Storage.path = (settings.data_dir / 'nicegui').resolve()
    app.storage = Storage()


def run_server(settings: Settings) -> None:
    from nicegui import ui

    use_data_dir_for_browser_storage(settings)
    build(settings)
    ssl = {}
    if settings.ssl_certfile and settings.ssl_keyfile:
        ssl = {'ssl_certfile': str(settings.ssl_certfile), 'ssl_keyfile': str(settings.ssl_keyfile)}
    ui.run(
        host=settings.host,
        port=settings.port,
        title='Shoebox',
        reload=False,
        show=False,
        storage_secret=settings.resolve_storage_secret(),
        session_middleware_kwargs={'https_only': bool(ssl), 'same_site': 'lax'},
        fastapi_docs=True,
        **ssl,
    )


if __name__ == '__main__':
    run_server(Settings.from_env())
