"""A real `celery worker` process for the integration and fault tests."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def worker_env(*, database_url, broker_url, mail_dir, document_root, cache_url=None):
    """The worker's environment: the test database, the broker (and the cache, when
    given; else the run's own), files under the test's own folders."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        # Four slashes: the URL parser drops one, and the path must stay absolute.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "SSCARD_DOCUMENT_ROOT": str(document_root),
    }
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


class WorkerProcess:
    """One `celery worker` process (on `queue`, or the default one) in its own process
    group, so SIGKILL takes the parent and its pool children down together, as when a
    machine dies."""

    def __init__(self, env, log_dir, *, queue=None, name="worker"):
        self.env = env
        self.log_dir = log_dir
        self.queue = queue
        self.name = name
        self.process = None
        self.starts = 0

    @property
    def log_path(self):
        return self.log_dir / f"worker-{self.starts}.log"

    def start(self, timeout=60):
        self.starts += 1
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "sscard",
                    "worker",
                    "--loglevel=info",
                    "--concurrency=2",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    *(["-Q", self.queue] if self.queue else []),
                    "-n",
                    f"{self.name}{self.starts}@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"celery worker exited early:\n{self.log_path.read_text()}")
            if b"ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"celery worker did not start:\n{self.log_path.read_text()}")

    def kill(self):
        """SIGKILL the worker and its pool children: no cleanup, no acknowledgement."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)
        self.process = None

    def stop(self):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
        self.process = None

    def log_tail(self, chars=3000):
        return self.log_path.read_text()[-chars:] if self.log_path.exists() else ""
