"""Wiring only: settings -> services (repo.container) -> pages + api -> ui.run().

The imports live inside the functions: the image workers are spawned processes, and
each of them imports this file again (as `__mp_main__`) before its first job. With the web
framework imported up here, every worker paid ~3 s of CPU and ~100 MB of memory for modules
it never uses.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from repo.config import Settings

if TYPE_CHECKING:
    from repo.container import Services


def build(settings: Settings) -> Services:
    """Create the services and register every page and API route on NiceGUI's app."""
    from nicegui import app

    import api
    import pages
    from api.nicegui_internals import move_browser
    from repo import container

    services = container.build(settings)
    services.index_feed  # noqa: B018  (open or rebuild the search index before serving)
    app.state.services = services  # for tests and benchmarks that drive the running app
    app.on_startup(services.start)
    app.on_startup(settle_memory)
    app.on_shutdown(services.close)
    api.register(
        app,
        services,
        session_user=pages.session_user(services),
        upload_observer=pages.upload_observer(services),
    )
    pages.register(services, move_browser)
    return services


def settle_memory() -> None:
    """Exempt everything made while starting (modules, the app, its routes: hundreds of thousands
    of objects) from the cyclic garbage collector, which otherwise walks all of them again in
    each full collection. Profiling a bulk upload found ~4% of the server's CPU in the collector.
    """
    gc.collect()
    gc.freeze()


def run_server(settings: Settings) -> None:
    from nicegui import ui

    from api.head_limit import BoundedHeadProtocol
    from api.nicegui_internals import use_data_dir_for_browser_storage

    use_data_dir_for_browser_storage(settings.data_dir / 'nicegui')
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
        http=BoundedHeadProtocol,  # 431 for request heads over 64 KB (api/head_limit.py)
        **ssl,
    )


if __name__ == '__main__':
    import os
    import sys

    # `uv run main.py --help`: say where the flags are rather than start a server that ignores
    # them (NiceGUI's simulated `user` also runs this file as __main__, under pytest's argv).
    simulated = os.environ.get('NICEGUI_USER_SIMULATION') == 'true'
    if len(sys.argv) > 1 and not simulated:
        sys.exit(
            'main.py takes no flags: it reads the SHOEBOX_* environment variables (README, '
            'Settings).\nWith flags: uv run shoebox serve --help'
        )
    run_server(Settings.from_env())
