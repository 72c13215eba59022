"""Everything a running profile needs, built once at start-up and passed down.

No singletons: the entry point builds an :class:`AppContext` and hands it to
the UI; tests build their own with a temporary folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crm_desktop.activities.my_day import MyDayService
from crm_desktop.activities.service import ActivityService
from crm_desktop.conflict_policy import ConflictPolicy
from crm_desktop.marketing.service import MarketingService
from crm_desktop.sales.pipeline import PipelineService
from crm_desktop.sales.service import SalesService
from crm_desktop.services.dashboard import DashboardService
from crm_desktop.services.duplicates import DuplicateFinder
from crm_desktop.services.exports import ExportService
from crm_desktop.services.imports import ImportService
from crm_desktop.services.lists import ListService
from crm_desktop.services.records import RecordService
from crm_desktop.services.search import GlobalSearch
from crm_desktop.services.timeline import TimelineService
from crm_desktop.settings import Settings
from crm_desktop.store.db import Database
from crm_desktop.support.case_queue import CaseQueueService
from crm_desktop.support.service import SupportService
from crm_desktop.worker import DbWorker


@dataclass
class AppContext:
    data_dir: Path
    settings: Settings
    db: Database
    worker: DbWorker
    records: RecordService
    lists: ListService
    search: GlobalSearch
    pipeline: PipelineService
    my_day: MyDayService
    cases: CaseQueueService
    dashboard: DashboardService
    timeline: TimelineService
    duplicates: DuplicateFinder
    imports: ImportService
    exports: ExportService
    sales: SalesService
    activities: ActivityService
    support: SupportService
    marketing: MarketingService

    @classmethod
    def open(cls, data_dir: Path, *, lock: bool = True) -> AppContext:
        settings = Settings.load(data_dir)
        db = Database.open(data_dir, lock=lock)
        def region() -> str:
            return settings.default_region

        def user_id() -> str | None:
            return settings.user_id or None

        records = RecordService(db, default_region=region, current_user_id=user_id)
        lists = ListService(db)
        duplicates = DuplicateFinder(db, default_region=region)
        pipeline = PipelineService(db, records)
        context = cls(
            data_dir=data_dir,
            settings=settings,
            db=db,
            worker=DbWorker(),
            records=records,
            pipeline=pipeline,
            my_day=MyDayService(db, records),
            cases=CaseQueueService(db),
            dashboard=DashboardService(db, pipeline),
            timeline=TimelineService(db),
            lists=lists,
            search=GlobalSearch(db),
            duplicates=duplicates,
            imports=ImportService(db, records, duplicates, default_region=region, current_user_id=user_id),
            exports=ExportService(db, lists),
            sales=SalesService(db, records),
            activities=ActivityService(db),
            support=SupportService(db),
            marketing=MarketingService(db, records),
        )
        return context

    def conflict_policy(self) -> ConflictPolicy:
        """The user's conflict rules, read afresh (they may change while syncing)."""
        return ConflictPolicy.from_settings(self.settings.conflict_policy)

    def save_settings(self) -> None:
        self.settings.save(self.data_dir)

    def close(self) -> None:
        self.worker.shutdown()
        self.db.close()
