"""`make bench`: the speed figures of issue 12, and their ratios, in one run.

    python tests/pgcluster.py -- python -m tests.bench.run

Run against the PostgreSQL that DATABASE_URL names (`make bench` starts the
throwaway cluster the tests use), it builds a site in a temporary folder
(migrated, with the demo and BENCH_SCALE synthetic issues: 12,500 from `make bench`, 0 run by hand),
serves it with gunicorn (BENCH_WORKERS sync workers, 2 by default) and, when
nginx is installed, the shipped deploy/nginx.conf in front, all on loopback.
Then wrk (Debian's package) measures, one after the other and twice over
(interleaved), for BENCH_SECONDS each:

- hit: the issue page from the page cache;
- miss: the issue page with a query string no one asked before (unique per
  request), which the page cache does not know;
- archive (miss): the archive likewise; search: a search for a common word;
- bare: /bench/bare/, a view returning the issue page's bytes through the
  same gunicorn and middleware;
- proxy hot page and proxy static file: the issue page through nginx's
  micro-cache, and a static file of the same size from nginx.

It prints requests per second and p50/p99 latency for each, the ratios the
issue sets targets for, the issue page's size compressed, the in-process
timings of tests/bench/inprocess.py, and the machine's load before and after.
Nothing here runs in `make test` or CI.
"""

import gzip
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import nginx as nginx_conf
from tests.bench.common import ROOT, manage
from tests.pgcluster import free_port

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
SCALE = int(os.environ.get("BENCH_SCALE", "0"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
WRK = ["-t2", "-c16"]

UNIQUE_QUERY = """
local counter = 0
local prefix = ""
function setup(thread)
  thread:set("prefix", tostring(math.random(1, 1e9)))
end
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?bench=" .. prefix .. "-" .. counter)
end
"""


def log(text=""):
    print(text, flush=True)


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": "localhost", **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def wait_for(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            get(port, "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench: nothing answers on port {port}")


def _ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, script=None, seconds=SECONDS):
    """(requests per second, p50 ms, p99 ms, non-2xx count) of one wrk run."""
    command = ["wrk", *WRK, f"-d{seconds}s", "--latency", "-H", "Host: localhost"]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(
        (p, _ms(v, u)) for p, v, u in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)", out)
    )
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return (
        rate,
        latency.get("50"),
        latency.get("99"),
        int(errors.group(1)) if errors else 0,
    )


def site_env(work, database_url):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CACHE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-not-secret",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        DEBUG="0",
        HTTPS="0",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
        PAGE_CACHE_GENERATION_FILE=str(work / "generation"),
        BENCH_BARE_FILE=str(work / "page.html"),
        PYTHONPATH=str(ROOT),
    )
    return env


def main():
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("bench: run me through tests/pgcluster.py (make bench)")
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is missing (Debian: apt-get install wrk)")
    nginx = nginx_conf.find_nginx()
    work = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    os.chmod(work, 0o755)
    env = site_env(work, database_url)
    processes = []
    load_before = os.getloadavg()
    try:
        log(f"bench: building the site (scale {SCALE})")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        started = time.monotonic()
        manage(env, "load_demo", "--force", "--scale", str(SCALE))
        log(f"bench: demo loaded in {time.monotonic() - started:.1f} s")

        app = free_port()
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "newsroom.wsgi",
                    "--workers",
                    WORKERS,
                    "--bind",
                    f"127.0.0.1:{app}",
                    "--access-logfile",
                    "/dev/null",
                    "--error-logfile",
                    "-",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )  # fmt: skip
        )
        wait_for(app)
        issue = manage(
            env, "shell", "-c",
            "from issues.models import Issue;"
            "print(Issue.objects.published().latest().get_absolute_url())",
            capture=True,
        ).split()[-1]  # fmt: skip
        _, page = get(app, issue)
        (work / "page.html").write_bytes(page)
        (work / "static" / "bench").mkdir(exist_ok=True)
        (work / "static" / "bench" / "page.html").write_bytes(page)
        compressed = len(gzip.compress(page))
        scripts = re.findall(rb"<script(?![^>]*application/ld\+json)", page)

        proxy = None
        if nginx:
            proxy = free_port()
            conf = nginx_conf.render(work, app, proxy, work / "static")
            processes.append(
                subprocess.Popen(
                    [nginx, "-c", str(conf), "-p", str(work), "-g", "daemon off;"]
                )
            )
            wait_for(proxy)
        unique = work / "unique.lua"
        unique.write_text(UNIQUE_QUERY)

        base = f"http://127.0.0.1:{app}"
        runs = {
            "hit": (f"{base}{issue}", None),
            "miss": (f"{base}{issue}", unique),
            "archive (miss)": (f"{base}/issues/", unique),
            "search": (f"{base}/search/?q=maduro", None),
            "bare Django view": (f"{base}/bench/bare/", None),
        }
        if proxy:
            runs["proxy hot page"] = (f"http://127.0.0.1:{proxy}{issue}", None)
            runs["proxy static file"] = (
                f"http://127.0.0.1:{proxy}/static/bench/page.html",
                None,
            )
        for url, _ in runs.values():  # warm every worker's caches
            wrk(url.split("?")[0] if "?" in url else url, seconds=1)
        results = {name: [] for name in runs}
        for round_ in range(ROUNDS):
            log(f"bench: round {round_ + 1} of {ROUNDS}")
            for name, (url, script) in runs.items():
                results[name].append(wrk(url, script))
        report(results, page, compressed, scripts, proxy is not None)
        log()
        log("In-process, every cache cleared before each request (PostgreSQL):")
        subprocess.run(
            [sys.executable, "-m", "tests.bench.inprocess", "20"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
        load_after = os.getloadavg()
        log()
        log(
            "Machine: {} cores; load average before {:.2f} {:.2f} {:.2f}, "
            "after {:.2f} {:.2f} {:.2f}".format(
                os.cpu_count(), *load_before, *load_after
            )
        )


def report(results, page, compressed, scripts, with_proxy):
    best = {name: max(runs, key=lambda run: run[0]) for name, runs in results.items()}
    log()
    log(f"wrk {' '.join(WRK)}, {SECONDS} s a run, {ROUNDS} rounds interleaved; "
        "best round shown, every round's req/s in brackets")  # fmt: skip
    log(f"  {'':<20} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  rounds")
    for name, (rate, p50, p99, errors) in best.items():
        rounds = ", ".join(f"{run[0]:.0f}" for run in results[name])
        note = f"  ({errors} non-2xx)" if errors else ""
        log(
            f"  {name:<20} {rate:9.0f} {p50 or 0:8.2f} {p99 or 0:8.2f}  [{rounds}]{note}"
        )
    bare = best["bare Django view"][0]
    log()
    log("Ratios (targets in brackets):")
    log(f"  cache hit / bare view        {best['hit'][0] / bare:6.0%}   (at least 90%)")
    log(
        f"  cache miss / bare view       {best['miss'][0] / bare:6.0%}   (at least 25%)"
    )
    if with_proxy:
        ratio = best["proxy hot page"][0] / best["proxy static file"][0]
        log(f"  proxy hot page / static file {ratio:6.0%}   (at least 50%)")
    else:
        log("  proxy: nginx is not installed, not measured")
    log(f"  issue page: {len(page) / 1024:.1f} KB, {compressed / 1024:.1f} KB "
        f"gzipped (at most 8 KB), {len(scripts)} script elements (none)")  # fmt: skip


if __name__ == "__main__":
    main()
