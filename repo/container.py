"""The composition root: `build(settings)` makes the services and the adapters they run on.

The only place that names concrete adapters (SQLite, local files, Whoosh). Everything is made
on first use, so a command builds only what it touches: `shoebox users list` opens the database
and nothing else; the server calls `start()` to open the index, load the similarity cache and
spawn the image workers before its first request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import TYPE_CHECKING

from argon2 import PasswordHasher

from repo.blobs.cipher import BlobCipher
from repo.blobs.encrypted_store import EncryptedBlobStore, check_key, load_key
from repo.blobs.local import LocalBlobStore
from repo.blobs.staging import Staging
from repo.blobs.store import BlobStore
from repo.built_once import built_once
from repo.config import Settings
from repo.core.errors import EncryptionKeyError
from repo.core.events import ImageAdded, ImageChanged, ImageEvent, ImageRemoved
from repo.db.engine import make_engine
from repo.db.health import database_problem
from repo.db.migrate import ensure_schema
from repo.db.snapshot import snapshot_database
from repo.db.tables import utcnow
from repo.db.uow import EventBus, UnitOfWork
from repo.services.accounts import AccountService
from repo.services.admin import AdminService
from repo.services.albums import AlbumService
from repo.services.audit import AuditLog
from repo.services.backup import BackupService
from repo.services.cart import CartService
from repo.services.checkout import CheckoutService
from repo.services.comments import CommentService
from repo.services.encryption import EncryptionService
from repo.services.export import ExportService
from repo.services.export_import import ImportExportService
from repo.services.health import HealthService
from repo.services.image_workers import ImageWorkers
from repo.services.images import ImageService
from repo.services.maintenance import MaintenanceService
from repo.services.metrics import Metrics
from repo.services.metrics_probes import database_probes
from repo.services.orders import OrderService
from repo.services.passwords import PasswordHashing
from repo.services.payments import OfflinePayments, PaymentProvider
from repo.services.quotas import QuotaService
from repo.services.resets import ResetService
from repo.services.runtime_settings import RuntimeSettings
from repo.services.sharing import SharingService
from repo.services.signin import SignInService
from repo.services.trash import PurgeJob, TrashService

if TYPE_CHECKING:  # built on first use, so a command that needs none of them imports none
    from repo.jobs.index_feed import IndexFeed  # numpy-free, but opens Whoosh
    from repo.looks.cache import LooksCache  # numpy
    from repo.services.finding import FindingService
    from repo.services.ingest import IngestService
    from search_index import SearchIndex

__all__ = ['EncryptionKeyError', 'Services', 'build']  # the error: for main, refusing to start


class Services:
    """Every service of one Shoebox, over one set of adapters. Close it when done."""

    def __init__(
        self,
        settings: Settings,
        *,
        executor: Executor | None = None,
        password_hasher: PasswordHasher | None = None,
        background: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings  # as started; what may change at runtime: `self.limits()`
        self.clock = clock or utcnow  # the wall clock of expiry decisions (tests control it)
        self.background = background  # run the index worker thread (off for some tests)
        self.workers = ImageWorkers(settings.pool_size(), executor)
        self.passwords = PasswordHashing(password_hasher)
        self.bus = EventBus()
        self.build_lock = threading.RLock()
        for folder in (settings.data_dir, settings.tmp_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._closed = False

    # ---- adapters -----------------------------------------------------------------------

    @built_once
    def engine(self):  # type: ignore[no-untyped-def]
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(self.settings.database)
        ensure_schema(engine)
        return engine

    @built_once
    def uow(self) -> UnitOfWork:
        uow = UnitOfWork(self.engine, self.bus)
        # Resolved when an event arrives: the handlers' owners are themselves built on `uow`.
        self.bus.subscribe(ImageEvent, self._wake_index)
        self.bus.subscribe(ImageAdded, lambda e: self.looks.on_added(e))
        self.bus.subscribe(ImageChanged, lambda e: self.looks.on_changed(e))
        self.bus.subscribe(ImageRemoved, lambda e: self.looks.on_removed(e))
        self.bus.subscribe(ImageRemoved, lambda e: self.images.remove_unused_blobs(e))
        return uow

    @built_once
    def stored_blobs(self) -> BlobStore:
        """The bytes as they lie in the store (what a backup copies): local files, or an
        S3-compatible bucket."""
        if self.settings.blobs.startswith('s3://'):
            from repo.blobs.s3 import S3BlobStore  # boto3 only where the library is in S3

            return S3BlobStore.from_url(
                self.settings.blobs,
                endpoint_url=self.settings.s3_endpoint_url or None,
                presign=self.settings.s3_presign,
                tmp_dir=self.settings.tmp_dir,
            )
        return LocalBlobStore(self.settings.blobs_dir)

    @built_once
    def cipher(self) -> BlobCipher | None:
        """The encryption at rest, when a key file is set; a wrong, missing or malformed key
        raises EncryptionKeyError here, naming the setting (main and the CLI ask at start)."""
        path = self.settings.encryption_key_file
        cipher = BlobCipher(load_key(path)) if path else None
        check_key(cipher, self.settings.key_check_file)
        return cipher

    @built_once
    def blobs(self) -> BlobStore:
        if self.cipher is None:
            return self.stored_blobs
        return EncryptedBlobStore(self.stored_blobs, self.cipher, self.settings.tmp_dir)

    @built_once
    def staging(self) -> Staging:
        return Staging(self.settings.tmp_dir)

    @built_once
    def looks(self) -> LooksCache:
        from repo.looks.cache import LooksCache

        def rows():  # type: ignore[no-untyped-def]
            with self.uow() as tx:
                return list(tx.images.look_rows())

        return LooksCache(rows)

    @property
    def index_feed(self) -> IndexFeed:
        """The search index, opened (rebuilt if needed) with its worker on first use."""
        with self.build_lock:
            feed = self.__dict__.get('_feed')
            if feed is None:
                from repo.jobs.index_feed import IndexFeed
                from search_index import SearchIndex

                feed = IndexFeed(self.uow, SearchIndex(self.settings.index_dir))
                feed.open(start=self.background)
                self.__dict__['_feed'] = feed
            return feed

    @property
    def index(self) -> SearchIndex:
        return self.index_feed.index

    def _wake_index(self, _event: object) -> None:
        feed = self.__dict__.get('_feed')
        if feed is not None:
            feed.notify()

    def limits(self) -> Settings:
        """The settings in force now: the start-up ones with an administrator's changes."""
        return self.runtime.current()

    _limits = limits  # the earlier name (branches made before it may still use it)

    # ---- services -----------------------------------------------------------------------

    @built_once
    def accounts(self) -> AccountService:
        return AccountService(
            self.uow, self.passwords, open_signup=lambda: self.limits().open_signup
        )

    @built_once
    def signin(self) -> SignInService:
        return SignInService(
            self.uow, self.passwords, now=self.clock, on_failure=self.metrics.signin_failed
        )

    @built_once
    def ingest(self) -> IngestService:
        from repo.services.ingest import IngestService

        return IngestService(
            self.uow, self.blobs, self.staging, self.workers, self.looks, self.limits,
            self.quotas, observe=self.metrics.upload_done,
            restore_from_trash=lambda owner, sha: self.trash.restore_for_upload(owner, sha),
        )  # fmt: skip

    @built_once
    def images(self) -> ImageService:
        return ImageService(
            self.uow, self.blobs, self.staging, self.workers, self.limits,
            watermark=lambda: self.settings.watermark, now=self.clock,
        )  # fmt: skip

    @built_once
    def finding(self) -> FindingService:
        from repo.services.finding import FindingService

        return FindingService(
            self.uow,
            lambda: self.index,
            self.blobs,
            self.looks,
            self.workers,
            self.ingest,
            self.limits,
        )

    @built_once
    def maintenance(self) -> MaintenanceService:
        return MaintenanceService(
            self.uow, self.blobs, self.staging, lambda: self.index_feed,
            plaintext=lambda: self.encryption.plaintext_keys(),
        )  # fmt: skip

    # ---- administration (issue 13) --------------------------------------------------------

    @built_once
    def runtime(self) -> RuntimeSettings:
        return RuntimeSettings(self.uow, lambda: self.settings, now=self.clock)

    @built_once
    def quotas(self) -> QuotaService:
        return QuotaService(self.uow, self.limits)

    @built_once
    def admin(self) -> AdminService:
        return AdminService(
            self.uow, self.limits, jobs_queued=lambda: self.workers.queued, now=self.clock
        )

    @built_once
    def audit(self) -> AuditLog:
        return AuditLog(self.uow)

    @built_once
    def resets(self) -> ResetService:
        return ResetService(self.uow, self.passwords, now=self.clock)

    # ---- the shop (issue 15) ---------------------------------------------------------------

    @built_once
    def payments(self) -> PaymentProvider:
        return OfflinePayments()

    @built_once
    def cart(self) -> CartService:
        return CartService(self.uow, lambda: self.settings.currency)

    @built_once
    def checkout(self) -> CheckoutService:
        return CheckoutService(
            self.uow, lambda: self.settings.currency, self.payments, self.metrics.checkout_conflict
        )

    @built_once
    def orders(self) -> OrderService:
        return OrderService(self.uow, self.blobs)

    # ---- operations (issue 16) -----------------------------------------------------------

    @built_once
    def metrics(self) -> Metrics:
        return Metrics(database_probes(self.uow, lambda: self.workers.queued))

    @built_once
    def export(self) -> ExportService:
        return ExportService(self.uow, self.blobs)

    @built_once
    def import_export(self) -> ImportExportService:
        return ImportExportService(self.uow, self.ingest)

    @built_once
    def backups(self) -> BackupService:
        return BackupService(
            lambda target: snapshot_database(self.engine, target),
            self.stored_blobs,
            self.settings.db_path,
            self.settings.tmp_dir,
            stored_name=lambda key: self.blobs.stored_name(key),
            key_check_file=self.settings.key_check_file,
        )

    @built_once
    def encryption(self) -> EncryptionService:
        return EncryptionService(self.uow, lambda: self.blobs)

    @built_once
    def health(self) -> HealthService:
        return HealthService(
            lambda: database_problem(self.engine), self.blobs, lambda: self.index.healthy()
        )

    # ---- sharing (issue 12) ---------------------------------------------------------------

    @built_once
    def sharing(self) -> SharingService:
        return SharingService(self.uow, self.images, self.passwords, now=self.clock)

    @built_once
    def albums(self) -> AlbumService:
        return AlbumService(self.uow)

    @built_once
    def trash(self) -> TrashService:
        return TrashService(self.uow, self.images, self.limits, now=self.clock)

    @built_once
    def comments(self) -> CommentService:
        return CommentService(self.uow, now=self.clock)

    @built_once
    def purge_job(self) -> PurgeJob:
        return PurgeJob(self.trash)

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """What a server does before its first request: open the index (and its worker),
        load the similarity cache, and spawn the image workers."""
        self.index_feed  # noqa: B018
        self.looks.index  # noqa: B018
        self.workers.start()
        if self.background:
            self.purge_job.start()

    def close(self) -> None:
        with self.build_lock:
            if self._closed:
                return
            self._closed = True
            feed = self.__dict__.get('_feed')
            purge = self.__dict__.get('purge_job')
        if purge is not None:
            purge.stop()
        if feed is not None:
            feed.worker.stop()
            feed.index.close()
        self.workers.close()
        if 'engine' in self.__dict__:
            self.engine.dispose()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build(
    settings: Settings,
    *,
    executor: Executor | None = None,
    password_hasher: PasswordHasher | None = None,
    background: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> Services:
    return Services(
        settings,
        executor=executor,
        password_hasher=password_hasher,
        background=background,
        clock=clock,
    )
