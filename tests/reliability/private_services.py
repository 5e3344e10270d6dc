"""A Redis server and a PostgreSQL cluster of a fault test's own, on free ports.

The fault tests stop Redis and restart PostgreSQL. They do that to these private
servers only, started from temporary folders and stopped by the pid this module
started, so the machine's own servers (and whoever else uses them) are never touched.
`shared_services_state()` reads what identifies a running server (Redis run_id,
PostgreSQL's postmaster start time) so a test can prove the shared ones stayed up.
"""

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
SHARED_PORTS = {5432, 6379}


def free_port():
    """A TCP port nothing listens on now (never one of the machine's usual servers)."""
    for _attempt in range(20):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in SHARED_PORTS:
            return port
    raise RuntimeError("no free port found")


def _wait(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def _stop_process(process, first_signal, timeout=60):
    """Stop the process we started (by its pid) and reap it; escalate if it hangs."""
    if process is None or process.poll() is not None:
        return
    for sig in (first_signal, signal.SIGQUIT, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, sig)
        try:
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


# --- Redis ------------------------------------------------------------------------------


def _probe(url):
    """A client that asks once: the default retries make every probe of a stopped
    server take seconds."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))


class PrivateRedis:
    """`redis-server` in the foreground, as our child: stop() ends that pid only."""

    def __init__(self, folder):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            need("redis-server (the fault tests start a Redis of their own)")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = None
        self.starts = 0

    def url(self, db=0, scheme="redis"):
        return f"{scheme}://127.0.0.1:{self.port}/{db}"

    def up(self):
        import redis

        try:
            return _probe(f"redis://127.0.0.1:{self.port}/0").ping()
        except redis.RedisError:
            return False

    def start(self, timeout=30):
        self.starts += 1
        log_path = self.folder / f"redis-{self.starts}.log"
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.folder),
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not _wait(lambda: self.process.poll() is not None or self.up(), timeout):
            self.stop()
            pytest.fail(f"private redis-server did not answer:\n{log_path.read_text()}")
        if self.process.poll() is not None:
            pytest.fail(f"private redis-server exited:\n{log_path.read_text()}")
        return self

    def stop(self):
        """Stop our server (SIGTERM to its pid: a shutdown without saving)."""
        _stop_process(self.process, signal.SIGTERM, timeout=20)
        self.process = None
        assert _wait(lambda: not self.up(), timeout=10)

    def destroy(self):
        self.stop()


# --- PostgreSQL -------------------------------------------------------------------------


def _postgres_bin(name):
    """`name` from the newest PostgreSQL installed (Debian keeps them off the PATH)."""

    def version(path):
        return [int(part) for part in Path(path).parts[-3].split(".") if part.isdigit()]

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if found:
        return found[-1]
    return shutil.which(name)


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary folder, its postmaster our child.

    initdb and postgres refuse to run as root: as root they run as the `postgres`
    OS user, in a folder that user owns."""

    def __init__(self):
        self.initdb, self.postgres = _postgres_bin("initdb"), _postgres_bin("postgres")
        if not self.initdb or not self.postgres:
            need("PostgreSQL's initdb and postgres (the fault tests start a cluster of their own)")
        self.run_as = {}
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                need("a 'postgres' OS user to run a private cluster as (the tests run as root)")
            self.run_as = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        self.folder = Path(tempfile.mkdtemp(prefix="sscard-pg-"))
        if owner is not None:
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.data = self.folder / "data"
        self.port = free_port()
        self.process = None
        self.starts = 0
        self.log_path = self.folder / "postgres.log"
        result = subprocess.run(
            [
                self.initdb,
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            **self.run_as,
        )
        if result.returncode != 0:
            self.destroy()
            pytest.fail(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def url(self, name="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _connect(self, dbname="postgres"):
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, connect_timeout=2
        )

    def up(self):
        import psycopg2

        try:
            self._connect().close()
            return True
        except psycopg2.Error:
            return False

    def start(self, timeout=60):
        self.starts += 1
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    self.postgres,
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={self.folder}",
                    "-c",
                    "max_connections=100",
                    "-c",
                    "shared_buffers=32MB",
                    # A throwaway cluster: it need not survive a power cut.
                    "-c",
                    "fsync=off",
                    "-c",
                    "full_page_writes=off",
                ],
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.run_as,
            )
        if not _wait(lambda: self.process.poll() is not None or self.up(), timeout):
            self.stop()
            pytest.fail(f"private PostgreSQL did not answer:\n{self.log_path.read_text()}")
        if self.process.poll() is not None:
            pytest.fail(f"private PostgreSQL exited:\n{self.log_path.read_text()}")
        return self

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        """Fast shutdown of our postmaster (SIGINT to its pid), waited for."""
        _stop_process(self.process, signal.SIGINT)
        self.process = None

    def restart(self):
        """What `pg_ctl restart -m fast` does, for this cluster only."""
        self.stop()
        self.start()

    def create_database(self, name):
        """A new database `name`, migrated to the project's schema; returns its URL."""
        connection = self._connect()
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        url = self.url(name)
        env = {**os.environ, "DATABASE_URL": url}
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"migrating the private database failed:\n{result.stderr[-3000:]}")
        return url

    def destroy(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- the shared servers, unchanged --------------------------------------------------------


def redis_identity(url):
    import redis

    try:
        info = _probe(url).info("server")
    except redis.RedisError:
        return None
    return {"run_id": info["run_id"], "process_id": info["process_id"]}


def postgres_identity(url):
    import psycopg2

    parts = urlsplit(url)
    for dbname in (parts.path.lstrip("/") or "postgres", "postgres"):
        try:
            connection = psycopg2.connect(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=parts.username or "postgres",
                password=parts.password or None,
                dbname=dbname,
                connect_timeout=2,
            )
        except psycopg2.Error:
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_postmaster_start_time()")
                (started,) = cursor.fetchone()
                return {"postmaster_start_time": started.isoformat()}
        finally:
            connection.close()
    return None


def shared_services_state():
    """What identifies each configured (shared) server now: Redis's run_id and pid,
    PostgreSQL's postmaster start time; None for one that does not answer."""
    state = {}
    for variable in ("CELERY_BROKER_URL", "CACHE_URL"):
        url = os.environ.get(variable, "")
        if url.startswith(("redis", "rediscache")):
            parts = urlsplit(url)
            server = f"redis {parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
            if server not in state:
                state[server] = redis_identity(f"redis://{parts.netloc}/0")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres", "postgresql", "pgsql")):
        parts = urlsplit(url)
        server = f"postgresql {parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
        state[server] = postgres_identity(url)
    return state
