"""Run a command against a throwaway Redis server, as the page cache.

    python tests/redisserver.py -- python -m pytest tests/newsroom/test_caching.py

Starts `redis-server` on a free loopback port with nothing saved to disk, runs
the command with CACHE_URL pointing at it, then stops the server. Without
`redis-server` the command is skipped, unless REQUIRE_REDIS=1 makes that an
error.
"""

import os
import shutil
import socket
import subprocess
import sys
import time

from pgcluster import free_port


def wait_for(port, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


def main(argv):
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        raise SystemExit("usage: python tests/redisserver.py -- COMMAND [ARGS...]")
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            print("redisserver: redis-server not found", file=sys.stderr)
            return 1
        print("redisserver: redis-server not found; skipping the Redis run")
        return 0
    port = free_port()
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if not wait_for(port):
            print("redisserver: redis-server did not answer", file=sys.stderr)
            return 1
        env = dict(os.environ, CACHE_URL=f"redis://127.0.0.1:{port}/0")
        print(f"redisserver: Redis on 127.0.0.1:{port}; running {' '.join(command)}")
        return subprocess.run(command, env=env).returncode
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
