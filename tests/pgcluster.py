"""Run a command against a throwaway PostgreSQL cluster.

    python tests/pgcluster.py [--replica] -- python -m pytest

Creates a cluster with `initdb` in a temporary folder, starts it with `pg_ctl`
on a free loopback port, runs the command with DATABASE_URL pointing at it,
then stops the cluster and deletes the folder, whatever the command did.
With --replica, a second cluster made by `pg_basebackup -R` of the first
streams from it as a hot standby on another loopback port, and
DATABASE_REPLICA_URL points at it (every database the command creates on the
primary, such as the test database, appears there too).
PostgreSQL refuses to run as root, so as root the cluster belongs to the
`postgres` (or `nobody`) user. Without PostgreSQL's binaries the command is
skipped, unless REQUIRE_POSTGRES=1 makes that an error.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile


def find_bin(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cluster_user():
    """The user to own the cluster: ourselves, or a system user when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise SystemExit("pgcluster: running as root and no postgres or nobody user exists")


def start_replica(primary_port, workdir, run_as, pg_ctl):
    """Start a hot standby of the primary, from `pg_basebackup -R`; return its port."""
    datadir = os.path.join(workdir, "replica")
    subprocess.run(
        [find_bin("pg_basebackup"), "-R", "-X", "stream", "--no-sync", "-D", datadir,
         "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres"],
        check=True, cwd=workdir, stdout=subprocess.DEVNULL, **run_as,
    )  # fmt: skip
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {os.path.join(workdir, 'sock')} "
        "-c hot_standby=on -c hot_standby_feedback=on -c fsync=off"
    )
    subprocess.run(
        [pg_ctl, "-D", datadir, "-l", os.path.join(workdir, "replica.log"),
         "-o", options, "-w", "start"],
        check=True, cwd=workdir, stdout=subprocess.DEVNULL, **run_as,
    )  # fmt: skip
    return port


def main(argv):
    flags, command = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :])
        if "--" in argv
        else ([], argv)
    )
    if not command or set(flags) - {"--replica"}:
        raise SystemExit(
            "usage: python tests/pgcluster.py [--replica] -- COMMAND [ARGS...]"
        )
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    with_replica = "--replica" in flags
    if with_replica and not find_bin("pg_basebackup"):
        initdb = None
    if not (initdb and pg_ctl):
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            print(
                "pgcluster: PostgreSQL binaries (initdb, pg_ctl, pg_basebackup) not found",
                file=sys.stderr,
            )
            return 1
        print("pgcluster: PostgreSQL binaries not found; skipping the PostgreSQL run")
        return 0

    user = cluster_user()
    workdir = tempfile.mkdtemp(prefix="newsroom-pg-")
    datadir, sockdir = os.path.join(workdir, "data"), os.path.join(workdir, "sock")
    os.mkdir(sockdir)
    run_as = {}
    if user is not None:
        os.chmod(workdir, 0o755)
        for path in (workdir, sockdir):
            os.chown(path, user.pw_uid, user.pw_gid)
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    port = free_port()
    log = os.path.join(workdir, "server.log")
    quiet = {"stdout": subprocess.DEVNULL}
    try:
        subprocess.run(
            [initdb, "-D", datadir, "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, cwd=workdir, **quiet, **run_as,
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockdir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            # A streaming replica may follow (initdb's trust pg_hba.conf lets
            # 127.0.0.1 connect for replication).
            "-c wal_level=replica -c max_wal_senders=5"
        )
        subprocess.run(
            [pg_ctl, "-D", datadir, "-l", log, "-o", options, "-w", "start"],
            check=True, cwd=workdir, **quiet, **run_as,
        )  # fmt: skip
        env = dict(os.environ)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{port}/postgres"
        where = f"PostgreSQL on 127.0.0.1:{port}"
        if with_replica:
            replica_port = start_replica(port, workdir, run_as, pg_ctl)
            env["DATABASE_REPLICA_URL"] = (
                f"postgres://postgres@127.0.0.1:{replica_port}/postgres"
            )
            where += f", its replica on 127.0.0.1:{replica_port}"
        print(f"pgcluster: {where}; running {' '.join(command)}")
        return subprocess.run(command, env=env).returncode
    except subprocess.CalledProcessError as error:
        print(f"pgcluster: could not start PostgreSQL: {error}", file=sys.stderr)
        for path in (log, os.path.join(workdir, "replica.log")):
            if os.path.exists(path):
                print(open(path).read(), file=sys.stderr)
        return 1
    finally:
        for data in (os.path.join(workdir, "replica"), datadir):
            if os.path.exists(os.path.join(data, "postmaster.pid")):
                subprocess.run(
                    [pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"],
                    cwd=workdir, **quiet, **run_as,
                )  # fmt: skip
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
