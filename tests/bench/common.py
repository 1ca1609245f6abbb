"""What the benchmarks (`make bench`, `make bench-newsletter`) and the front
proxy's test share: waiting for a server to answer, and running manage.py
in a child process with an environment of its own (a free port is
tests.pgcluster.free_port)."""

import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def wait_for_port(port, seconds=30):
    """Wait until something accepts connections on `port`; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


def manage(env, *args, capture=False, timeout=None):
    """`manage.py ARGS` in the project with `env`; its output if `capture`."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=env, check=True, text=True, timeout=timeout,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE if capture else None,
    )  # fmt: skip
    return result.stdout if capture else None
