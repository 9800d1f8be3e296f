"""Run every benchmark in sequence (``make bench``) and print their figures.

Each benchmark runs as its own process so that servers, engines and imports
do not leak from one into the next. Exits non-zero if a benchmark crashed or
overran its time limit; a missed target is reported, not a failure.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BENCHMARKS = [
    ("publish -> searchable (whole hub)", "publish_to_searchable.py", 150),
    ("PublishNotice throughput (API server processes vs bare grpcio)", "publish_throughput.py", 180),
    ("quarterly assessment ranking (300 departments, 50,000 ratings)", "assessment_ranking.py", 120),
    ("report rendering (PDF with charts, XLSX)", "report_rendering.py", 120),
    ("search quality: recall@10 and nDCG@10 (tantivy, noida-db)", "search_quality.py", 120),
    ("search at 100,000 documents (tantivy, gRPC in a separate process)", "search_perf.py", 300),
    ("notice fan-out to a 10,000-member group (SQLite, PostgreSQL)", "notice_fanout.py", 150),
    ("AcknowledgeNotice throughput (API server in its own process)", "ack_throughput.py", 150),
    ("inbox and statistics at 100,000 notices / 1,000,000 receipts (PostgreSQL, gRPC)", "inbox_stats.py", 300),
    ("document upload/download over gRPC streaming", "document_upload.py", 120),
]


def run(title: str, script: str, time_limit: float) -> tuple[bool, list[str]]:
    """Run one benchmark, echoing its output; (finished cleanly, target lines)."""
    print(f"== {title}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, str(BENCH_DIR / script)], cwd=BENCH_DIR.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    targets: list[str] = []

    def echo() -> None:
        for line in process.stdout:
            print(line, end="", flush=True)
            if "target" in line:
                targets.append(line.rstrip())

    reader = threading.Thread(target=echo, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=time_limit)
    except subprocess.TimeoutExpired:
        # SIGINT, not SIGTERM: the benchmark's cleanup (stop the hub, drop the
        # vhost or database) runs on KeyboardInterrupt.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        code = None
    reader.join(timeout=5)
    if code is None:
        print(f"!! {script} overran its limit of {time_limit:.0f} s and was interrupted\n")
        return False, targets
    print(f"== {script}: {'done' if code == 0 else f'FAILED (exit {code})'} "
          f"in {time.monotonic() - started:.0f} s\n", flush=True)
    return code == 0, targets


def main() -> int:
    results = [(script, *run(title, script, limit)) for title, script, limit in BENCHMARKS]
    print("== targets")
    for _, _, targets in results:
        for line in targets:
            print(line)
    crashed = [script for script, ok, _ in results if not ok]
    if crashed:
        print(f"crashed: {', '.join(crashed)}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
