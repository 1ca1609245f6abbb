"""Benchmark: one edition to N confirmed subscribers through a loopback SMTP server.

    .venv/bin/python -m tests.bench.newsletter [--subscribers 10000] [--pause SECONDS]

(`make bench-newsletter` runs it at 1,000 and 10,000.) It builds a fresh
database (a temporary SQLite file, or DATABASE_URL's when that is set, e.g.
under tests/pgcluster.py: that database is emptied first), imports the seed report, adds N confirmed
subscribers, starts an SMTP server on a free loopback port in a process of
its own, and times `manage.py send_edition` in a child process, whose peak
resident memory and CPU time (that process's alone) it reads from the
kernel; on a busy machine the CPU time is the steadier figure. The server counts what it
received, so the figures are for messages really delivered. A benchmark,
not a test: nothing here fails a build.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import ROOT, manage, wait_for_port
from tests.pgcluster import free_port

SEED = ROOT / "seeds" / "now-what-venezuela-carter-center-goodbye.txt"


class Counter:
    """An SMTP handler that counts messages and keeps none of them."""

    def __init__(self, path):
        self.path = path
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.count % 100 == 0:
            self.path.write_text(str(self.count))
        return "250 OK"


def serve(port, count_file):
    from aiosmtpd.controller import Controller

    handler = Counter(Path(count_file))
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            time.sleep(0.2)
            Path(count_file).write_text(str(handler.count))
    except KeyboardInterrupt:
        pass
    finally:
        Path(count_file).write_text(str(handler.count))
        controller.stop()


def prepare(env, subscribers, wal=False):
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "flush", "--noinput", "-v0")
    if wal and env["DATABASE_URL"].startswith("sqlite"):
        enable_wal = "from django.db import connection\n"
        enable_wal += "connection.cursor().execute('PRAGMA journal_mode=WAL')"
        manage(env, "shell", "-c", enable_wal)
    manage(env, "import_report", str(SEED), "--publish", capture=True)
    script = f"""
from issues.models import Issue
from newsroom.newsletters.models import Subscriber
issue = Issue.objects.get()
rows = (Subscriber(email=f"reader{{n}}@example.org", series=issue.series, state="active")
        for n in range({subscribers}))
batch = []
for row in rows:
    batch.append(row)
    if len(batch) == 2000:
        Subscriber.objects.bulk_create(batch); batch = []
Subscriber.objects.bulk_create(batch)
print(issue.slug)
"""
    return manage(env, "shell", "-c", script, capture=True).split()[-1]


def run(subscribers, pause, batch_size, wal=False):
    workdir = Path(tempfile.mkdtemp(prefix="newsletter-bench-"))
    port = free_port()
    count_file = workdir / "received"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "NEWSLETTER_BATCH_PAUSE": str(pause),
        "NEWSLETTER_BATCH_SIZE": str(batch_size),
        "SITE_URL": "https://news.example.org",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    slug = prepare(env, subscribers, wal)
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.newsletter", "--serve", str(port),
         str(count_file)],
        cwd=ROOT,
    )  # fmt: skip
    try:
        wait_for_port(port, seconds=10)
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "send_edition", slug],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise SystemExit(f"send_edition failed with status {child.returncode}")
        peak_kb = usage.ru_maxrss
        cpu = usage.ru_utime + usage.ru_stime
    finally:
        time.sleep(0.5)
        server.terminate()
        server.wait(timeout=10)
    received = int(count_file.read_text() or 0)
    return {
        "subscribers": subscribers,
        "received": received,
        "seconds": elapsed,
        "per_second": received / elapsed if elapsed else 0,
        "peak_mb": peak_kb / 1024,
        "cpu_seconds": cpu,
        "load": os.getloadavg()[0],
        "database": env["DATABASE_URL"].split(":", 1)[0],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, nargs="+", default=[10_000])
    parser.add_argument(
        "--pause",
        type=float,
        default=None,
        help="NEWSLETTER_BATCH_PAUSE for the run (default: the setting's default)",
    )
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument(
        "--sqlite-wal",
        action="store_true",
        help="put the SQLite database in WAL mode first (fewer disk flushes)",
    )
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(int(args.serve[0]), args.serve[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    from django.conf import settings

    pause = settings.NEWSLETTER_BATCH_PAUSE if args.pause is None else args.pause
    batch_size = args.batch_size or settings.NEWSLETTER_BATCH_SIZE
    print(f"batch size {batch_size}, pause {pause} s between batches")
    for n in args.subscribers:
        result = run(n, pause, batch_size, args.sqlite_wal)
        print(
            f"{result['subscribers']:>7,} subscribers on {result['database']}"
            f"{' (WAL)' if args.sqlite_wal and result['database'] == 'sqlite' else ''}: "
            f"{result['received']:,} received in {result['seconds']:.1f} s "
            f"({result['per_second']:,.0f}/s; send_edition used "
            f"{result['cpu_seconds']:.1f} s of CPU), peak memory of send_edition "
            f"{result['peak_mb']:.0f} MB; load average {result['load']:.1f}"
        )
        if result["received"] != n:
            print(f"  warning: {n - result['received']} messages missing")


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
