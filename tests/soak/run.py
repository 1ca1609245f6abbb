"""`make soak`: public pages under load while an editor works, then a database outage.

    python -m tests.soak.run

Not part of `make test` or CI. It starts a PostgreSQL cluster of its own in
a temporary folder (so that it can stop it), builds a site there (migrated,
the demo and SOAK_SCALE synthetic issues), serves it with gunicorn
(SOAK_WORKERS workers) and, when nginx is installed, the shipped
deploy/nginx.conf in front, all on loopback. Two phases of SOAK_SECONDS (60)
each, wrk at 32 connections over the public pages through the front:

1. load: an editor (a thread, through the ORM) publishes an issue, corrects
   one and schedules one a few seconds ahead, in turn, every SOAK_EDIT_EVERY
   seconds, and polls the changed page through the front until it shows the
   change, at gunicorn and through the front. It checks 0 errors (no answer
   but 2xx/3xx, no socket error); each change shown by gunicorn as soon as a
   page is rendered (the app's cache is renewed at once) and through the
   front within its TTL (2 s) and two fetches (a fetch under way when the
   change was saved may store the old page for one more TTL); and gunicorn's
   workers' memory (RSS from /proc) flat: at most 25% more at the end.
2. outage: the same, with PostgreSQL stopped (pg_ctl stop) for 10 s and
   started again: cached pages keep being served, an uncached page answers
   503 with Retry-After, nothing else fails, and the site recovers with the
   same gunicorn processes, no restart.

It prints its figures, and exits 1 if a check failed.
"""

import http.client
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from tests.bench import nginx as nginx_conf
from tests.pgcluster import cluster_user, find_bin, free_port

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "32"))
SCALE = int(os.environ.get("SOAK_SCALE", "100"))
WORKERS = os.environ.get("SOAK_WORKERS", "2")
EDIT_EVERY = float(os.environ.get("SOAK_EDIT_EVERY", "3"))
OUTAGE = 10
FRONT_TTL = 2  # proxy_cache_valid in deploy/nginx.conf
#: How much a worker's memory may grow over a phase and still count as flat.
RSS_GROWTH_LIMIT = 0.25

STATUS_COUNTS = """
local threads = {}
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
  n = math.random(1, #paths)
end
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n], {["Host"] = "localhost"})
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %%d %%d\\n", status, count))
  end
end
"""


def log(text=""):
    print(text, flush=True)


def get(port, path, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return response, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def wait_for(port, path="/healthz", seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get(port, path)[0].status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


class Cluster:
    """A PostgreSQL cluster of the soak's own, that it may stop and start."""

    def __init__(self, work):
        self.pg_ctl = find_bin("pg_ctl")
        initdb = find_bin("initdb")
        if not (self.pg_ctl and initdb):
            raise SystemExit("soak: PostgreSQL's initdb and pg_ctl are needed")
        user = cluster_user()
        self.run_as = {}
        if user is not None:
            os.chmod(work, 0o755)
            self.run_as = {
                "user": user.pw_uid,
                "group": user.pw_gid,
                "extra_groups": [],
            }
        self.work, self.data, self.port = work / "pg", work / "pg" / "data", free_port()
        self.work.mkdir()
        if user is not None:
            os.chown(self.work, user.pw_uid, user.pw_gid)
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command):
        subprocess.run(command, check=True, cwd=self.work,
                       stdout=subprocess.DEVNULL, **self.run_as)  # fmt: skip

    def start(self):
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.work} "
                   "-c fsync=off -c synchronous_commit=off -c max_connections=200")  # fmt: skip
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.work / "log"),
                  "-o", options, "-w", "start")  # fmt: skip

    def stop(self, mode="fast"):
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")


def site_env(work, database_url):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_URL", "CDN_PURGE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        SECRET_KEY="soak-only-not-secret",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        DEBUG="0",
        HTTPS="0",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
        PAGE_CACHE_GENERATION_FILE=str(work / "generation"),
        TRUSTED_PROXY_COUNT="1",
        LOG_LEVEL="ERROR",
    )
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                   check=True, capture_output=True, text=True, timeout=900)  # fmt: skip


def workers_of(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run_wrk(port, paths_file, seconds, work):
    script = work / "soak.lua"
    script.write_text(STATUS_COUNTS % {"paths": paths_file})
    result = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
         "--latency", "-s", str(script), f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, timeout=seconds + 60,
    )  # fmt: skip
    out = result.stdout
    statuses = {
        int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)
    }
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return {
        "statuses": statuses,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "rate": float(rate.group(1)) if rate else 0.0,
        "p99": p99.group(1) if p99 else "?",
    }


class Editor(threading.Thread):
    """Publishes, corrects and schedules in turn; measures when each shows."""

    counter = itertools.count(1)  # across both phases: slugs stay unique

    def __init__(self, front, app, stop):
        super().__init__(daemon=True)
        self.front, self.app, self.stop, self.lags, self.refused = (
            front,
            app,
            stop,
            [],
            0,
        )
        self.paused, self.busy = threading.Event(), threading.Event()

    def run(self):
        from django.db import DatabaseError, connection

        for kind in itertools.cycle(("publish", "correct", "schedule")):
            if self.stop.wait(EDIT_EVERY):
                return
            if self.paused.is_set():
                continue
            self.busy.set()
            try:
                path, text, public_at = getattr(self, kind)(next(self.counter))
            except DatabaseError:
                self.refused += 1
                connection.close()
                continue
            finally:
                self.busy.clear()
            app_lag, slowest = self.seen_after(self.app, path, text, public_at)
            front_lag, _ = self.seen_after(self.front, path, text, public_at)
            self.lags.append((kind, app_lag, front_lag, slowest))

    def seen_after(self, port, path, text, public_at):
        """(seconds after `public_at` the page showed `text`, slowest request)."""
        slowest = 0.0
        while True:
            started = time.monotonic()
            try:
                shown = text in get(port, path)[1]
            except OSError:
                shown = False
            slowest = max(slowest, time.monotonic() - started)
            if shown:
                return max(time.time() - public_at, 0.0), slowest
            if time.time() - public_at > 30:
                return float("inf"), slowest
            time.sleep(0.05)

    def pause(self):
        """Stop changing things (wait for a change under way)."""
        self.paused.set()
        while self.busy.is_set():
            time.sleep(0.05)

    def publish(self, n):
        from django.utils import timezone

        from issues.models import Issue, Series

        headline = f"Soak issue {n} published"
        Issue.objects.create(
            series=Series.objects.first(), headline=headline, slug=f"soak-{n}",
            dek="Soak.", number=Series.objects.first().next_number(),
            status=Issue.Status.PUBLISHED, published_at=timezone.now(),
        )  # fmt: skip
        return "/", headline, time.time()

    def correct(self, n):
        from issues.models import Issue
        from stories.models import Correction

        issue = Issue.objects.published().order_by("-published_at").first()
        issue.dek = f"Corrected dek {n}."
        issue.save()
        Correction.objects.create(issue=issue, text=f"Soak correction {n}.")
        return issue.get_absolute_url(), f"Corrected dek {n}.", time.time()

    def schedule(self, n):
        from django.utils import timezone

        from issues.models import Issue, Series

        at = timezone.now() + timedelta(seconds=2)
        headline = f"Soak issue {n} scheduled"
        Issue.objects.create(
            series=Series.objects.first(), headline=headline, slug=f"soak-{n}",
            dek="Soak.", number=Series.objects.first().next_number(),
            status=Issue.Status.PUBLISHED, published_at=at,
        )  # fmt: skip
        return "/", headline, at.timestamp()


def public_paths(limit=400):
    from issues.models import Issue
    from stories.models import Source, Story

    paths = ["/", "/issues/", "/issues/?page=2", "/sources/", "/feed/", "/sitemap.xml"]
    paths += [i.get_absolute_url() for i in Issue.objects.published()[:100]]
    paths += [s.get_absolute_url() for s in Story.objects.published()[:200]]
    paths += [s.get_absolute_url() for s in Source.objects.published()[:50]]
    return paths[:limit]


def phase(name, front, app, master, paths_file, work, outage=None):
    stop = threading.Event()
    editor = Editor(front, app, stop)
    workers = workers_of(master)
    rss_before = {pid: rss_kib(pid) for pid in workers}
    editor.start()
    probes = {}
    if outage is not None:
        threading.Thread(target=outage, args=(probes, editor), daemon=True).start()
    figures = run_wrk(front, paths_file, SECONDS, work)
    stop.set()
    editor.join(timeout=40)
    rss_after = {pid: rss_kib(pid) for pid in workers_of(master)}
    figures.update(editor=editor, rss_before=rss_before, rss_after=rss_after,
                   probes=probes, workers=workers)  # fmt: skip
    return figures


def report(name, figures, failures, outage=False):
    statuses = figures["statuses"]
    total = sum(statuses.values())
    log(f"\n== {name}: {SECONDS} s at {CONNECTIONS} connections ==")
    log(f"requests {total}, {figures['rate']:.0f}/s, p99 {figures['p99']}")
    log("statuses " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    log(f"socket errors {figures['socket_errors']}")
    bad = {s: n for s, n in statuses.items() if not 200 <= s < 400}
    allowed = {503} if outage else set()
    if set(bad) - allowed or figures["socket_errors"]:
        failures.append(
            f"{name}: errors {bad}, socket errors {figures['socket_errors']}"
        )
    editor = figures["editor"]
    by_kind = {}
    for kind, app_lag, front_lag, slowest in editor.lags:
        by_kind.setdefault(kind, []).append((app_lag, front_lag, slowest))
    for kind, lags in sorted(by_kind.items()):
        app_lag = max(lag[0] for lag in lags)
        front_lag = max(lag[1] for lag in lags)
        slowest = max(lag[2] for lag in lags)
        log(f"editor {kind}: {len(lags)} changes, shown by gunicorn after at most "
            f"{app_lag:.2f} s, through the front after at most {front_lag:.2f} s "
            f"(slowest single request {slowest:.2f} s)")  # fmt: skip
        # The app renews its pages at once: a change shows as soon as a page
        # is rendered. The front keeps a page FRONT_TTL seconds, then serves
        # it while it fetches it again in the background: a fetch under way
        # when the change was saved may store the page as it was for another
        # TTL, so a change shows within the TTL and two fetches (each at most
        # the slowest request seen), with a second of margin.
        if app_lag > slowest + 1:
            failures.append(f"{name}: gunicorn showed a {kind} after {app_lag:.1f} s")
        if front_lag > FRONT_TTL + 2 * slowest + 1:
            failures.append(
                f"{name}: the front showed a {kind} after {front_lag:.1f} s"
            )
    if editor.refused:
        log(f"editor writes refused (database down): {editor.refused}")
    if not editor.lags:
        failures.append(f"{name}: the editor changed nothing")
    for pid in figures["workers"]:
        before, after = figures["rss_before"][pid], figures["rss_after"].get(pid)
        if after is None:
            failures.append(f"{name}: worker {pid} was replaced")
            continue
        growth = (after - before) / before
        log(f"worker {pid} RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB "
            f"({growth:+.1%})")  # fmt: skip
        if growth > RSS_GROWTH_LIMIT:
            failures.append(f"{name}: worker {pid} grew {growth:.0%}")


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("soak: wrk is needed (Debian's package wrk)")
    work = Path(tempfile.mkdtemp(prefix="newsroom-soak-"))
    cluster = Cluster(work)
    processes = []
    failures = []
    try:
        cluster.start()
        env = site_env(work, cluster.url)
        log(f"soak: building the site (demo + {SCALE} issues) on {cluster.url}")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "load_demo", "--force", "--scale", str(SCALE))
        os.environ.update(env, LOG_LEVEL="CRITICAL")  # the editor's own Django
        import django

        django.setup()
        paths_file = work / "paths.txt"
        paths = public_paths()
        paths_file.write_text("\n".join(paths) + "\n")

        app = free_port()
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--workers", WORKERS,
             "--bind", f"127.0.0.1:{app}", "--access-logfile", "/dev/null"],
            cwd=ROOT, env=env, **quiet,
        )  # fmt: skip
        processes.append(gunicorn)
        front = app
        nginx = nginx_conf.find_nginx()
        if nginx:
            front = free_port()
            conf = nginx_conf.render(work, app, front, work / "static")
            processes.append(subprocess.Popen(
                [nginx, "-c", str(conf), "-p", str(work), "-g", "daemon off;"], **quiet
            ))  # fmt: skip
        if not (wait_for(app) and wait_for(front)):
            raise SystemExit("soak: the site never answered")
        log(f"soak: {len(paths)} public pages; gunicorn on {app} ({WORKERS} workers)"
            + (f", nginx in front on {front}" if nginx else ", no nginx"))  # fmt: skip
        # Warm the caches: nginx's, and each worker's page cache (its own, in
        # memory), which a worker fills as it first renders each page. Six
        # passes at gunicorn leave few pages unseen by either worker, so the
        # memory measured over the phase is not the cache filling up.
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda path: get(front, path, timeout=60), paths))
            list(pool.map(lambda path: get(app, path, timeout=60), paths * 6))

        figures = phase("load", front, app, gunicorn.pid, paths_file, work)
        report("load", figures, failures)

        cached = "/sources/"

        def outage(probes, editor):
            time.sleep(SECONDS / 3)
            # The editor pauses (it could not write anyway), and the page
            # probed below is in each worker's cache when the database stops.
            editor.pause()
            time.sleep(EDIT_EVERY)
            for _ in range(10):
                get(app, cached)
            cluster.stop()
            down = time.monotonic()
            time.sleep(2)
            hit, _ = get(app, cached)
            miss, _ = get(app, "/search/?q=soak")
            front_hit, _ = get(front, cached)
            probes.update(
                cached=(hit.status, hit.getheader("X-Page-Cache")),
                front_cached=front_hit.status,
                uncached=(miss.status, miss.getheader("Retry-After")),
                health=get(app, "/healthz")[0].status,
            )
            time.sleep(max(OUTAGE - (time.monotonic() - down), 0))
            cluster.start()
            up = time.monotonic()
            probes["down_for"] = up - down
            while time.monotonic() - up < 30:
                try:
                    if get(app, "/search/?q=soak")[0].status == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            probes["recovered_after"] = time.monotonic() - up
            editor.paused.clear()

        figures = phase("outage", front, app, gunicorn.pid, paths_file, work, outage)
        report("outage", figures, failures, outage=True)
        probes = figures["probes"]
        log(f"PostgreSQL stopped for {probes.get('down_for', 0):.1f} s; meanwhile "
            f"a cached page at gunicorn {probes.get('cached')}, through the front "
            f"{probes.get('front_cached')}; an uncached page {probes.get('uncached')} "
            f"(status, Retry-After); /healthz {probes.get('health')}")  # fmt: skip
        log(f"recovered {probes.get('recovered_after', float('inf')):.2f} s after "
            f"PostgreSQL started, gunicorn master {gunicorn.pid} never restarted: "
            f"{gunicorn.poll() is None}")  # fmt: skip
        if probes.get("cached") != (200, "hit") or probes.get("front_cached") != 200:
            failures.append(f"outage: a cached page was not served: {probes}")
        if probes.get("uncached") != (503, "30") or probes.get("health") != 503:
            failures.append(f"outage: an uncached page did not get 503: {probes}")
        if probes.get("recovered_after", 99) > 10 or gunicorn.poll() is not None:
            failures.append("outage: the site did not recover by itself")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        try:
            cluster.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(work, ignore_errors=True)
    log(
        "\nuptime: "
        + subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    )
    if failures:
        log("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    log("\nsoak: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
