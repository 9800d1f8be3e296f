"""Quarterly ranking of 300 departments from 50,000 ratings, read from the database.

Seeds two quarters (the ranked one and the previous one, for the change
column) of 50,000 ratings each into a temporary SQLite file and a throwaway
PostgreSQL database, then times the ranking use case as GetRanking runs it:
the aggregate query per quarter, the feedback of every department (leader's
view; one rating in ten carries a comment) and the computation.
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone


from benchlib import percentile, throwaway_postgres_database, verdict
from hubkit.db import make_engine, migrate
from hubkit.wiring import migrations_dir
from reports import assessment_handlers
from reports.adapters.repository import SqlReportsUnitOfWork
from reports.adapters.tables import assessment_departments, assessment_periods, assessment_ratings
from reports.domain.assessment import Rater, Source

DEPARTMENTS = 300
RATINGS = 50_000
RUNS = 7
TARGET_SECONDS = 1.0
LEADER = Rater("bench-leader", roles=("leader",))
COMMENTS = ["窗口服务热情，办事效率高", "材料审核周期偏长", "现场协调及时", "回复电话不够及时", "制度宣贯到位"]


def seed(engine, period_id: str, rng: random.Random) -> None:
    now = datetime.now(timezone.utc)
    departments = [f"第{n:03d}部门" for n in range(DEPARTMENTS)]
    with engine.begin() as connection:
        connection.execute(assessment_periods.insert().values(
            period_id=period_id, title=f"{period_id} 作风考核", weight_grassroots=40, weight_peer=30,
            weight_leader=30, expected_grassroots=100, expected_peer=0, expected_leader=10,
            closes_at=now + timedelta(days=5), closed_at=None, created_by="bench"))
        connection.execute(assessment_departments.insert(), [
            {"period_id": period_id, "position": i, "department": d} for i, d in enumerate(departments)])
        rows = []
        sources = [Source.GRASSROOTS] * 5 + [Source.PEER] * 4 + [Source.LEADER]
        for n in range(RATINGS):
            target = departments[n % DEPARTMENTS]
            source = sources[rng.randrange(len(sources))]
            rows.append({"period_id": period_id, "target_department": target, "rater_id": f"rater-{n}",
                         "rater_department": "" if source is Source.LEADER else f"单位{n % 700}",
                         "source": source.value, "efficiency": rng.randint(55, 100), "quality": rng.randint(55, 100),
                         "service": rng.randint(55, 100), "comment": rng.choice(COMMENTS) if n % 10 == 0 else "",
                         "suggestion": "", "submitted_at": now})
        for start in range(0, len(rows), 5000):
            connection.execute(assessment_ratings.insert(), rows[start:start + 5000])


def measure(label: str, url: str) -> list[float]:
    engine = make_engine(url)
    try:
        migrate(engine, migrations_dir("reports"))
        started = time.monotonic()
        rng = random.Random(7)
        seed(engine, "2026Q1", rng)
        seed(engine, "2026Q2", rng)
        print(f"{label}: seeded 2 quarters x {RATINGS} ratings, {DEPARTMENTS} departments "
              f"in {time.monotonic() - started:.1f} s", flush=True)
        seconds = []
        for _ in range(RUNS):
            started = time.perf_counter()
            _, ranking, feedback = assessment_handlers.ranking(
                "2026Q2", rater=LEADER, uow=SqlReportsUnitOfWork(engine, read_only=True))
            seconds.append(time.perf_counter() - started)
        assert len(ranking.rows) == DEPARTMENTS and ranking.previous_period_id == "2026Q1" and feedback
        return seconds
    finally:
        engine.dispose()



def main() -> int:
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        results["SQLite"] = measure("SQLite", f"sqlite:///{directory}/reports.db")
    with ExitStack() as stack:
        results["PostgreSQL"] = measure("PostgreSQL", throwaway_postgres_database(stack))
    for label, seconds in results.items():
        p50, worst = percentile(seconds, 50), max(seconds)
        print(f"ranking {DEPARTMENTS} depts / {RATINGS} ratings ({label:<10}) p50 {p50 * 1000:7.0f} ms  "
              f"max {worst * 1000:7.0f} ms  (n={len(seconds)}; target <= {TARGET_SECONDS:.0f} s: "
              f"{verdict(worst, TARGET_SECONDS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
