"""The monthly pension run through real Celery workers over Redis (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_runs \\
        .venv/bin/python bench/pension_run_celery.py --month 2027-02 --workers 2

Runs on a database `bench/pension_run.py` populated (every cardholder a pensioner in
payment). Starts one `celery worker` with `--workers` prefork processes on its own
Redis database, queues the month as `manage.py pay_pensions --queue` does (one task
per id range), and times from the queueing to the last task's result (each task keeps
its result for this). Then queues the same month again, which must pay nothing.
Prints the load average before each run and the peak RSS (VmHWM) of the worker's
main process and of each pool process.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as fh:
        return [int(child) for child in fh.read().split()]


def _start_worker(workers, env):
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "sscard",
            "worker",
            "--pool",
            "prefork",
            "-c",
            str(workers),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in worker.stderr:
        if "ready." in line:
            return worker
    raise SystemExit("the Celery worker did not start")


def _paid(month):
    from pensions.models import PensionPayment

    return PensionPayment.objects.filter(month=month).count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", required=True, help="YYYY-MM, a month not yet paid")
    parser.add_argument("--workers", type=int, default=2, help="prefork pool processes")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()

    os.environ["CELERY_BROKER_URL"] = args.broker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import redis

    from pensions import payment_run, tasks
    from pensions.models import RetirementClaim

    broker = redis.Redis.from_url(args.broker)
    broker.flushdb()
    month = date.fromisoformat(f"{args.month}-01")
    expected = RetirementClaim.objects.filter(status="approved").count()
    worker = _start_worker(args.workers, dict(os.environ))
    try:
        for label in ("first run", "second run (pays nothing)"):
            print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
            began = time.monotonic()
            # What `pay_pensions --queue` does, keeping each task's result to wait on.
            plan = payment_run.pension_run_plan(args.month)
            pending = [
                tasks.pay_pension_range.apply_async((args.month, first, stop), ignore_result=False)
                for first, stop in plan.ranges
            ]
            results = [result.get(timeout=3600) for result in pending]
            seconds = time.monotonic() - began
            paid = sum(result["months_paid"] for result in results)
            print(
                f"{args.month} {args.workers} Celery worker process(es), {label}: "
                f"{seconds:.1f} s; {len(plan.ranges)} range tasks; months paid {paid:,}, "
                f"in the table {_paid(month):,} of {expected:,}; "
                f"{expected / seconds:,.0f} pensioners/s",
                flush=True,
            )
        pool = _children(worker.pid)
        print(
            f"peak RSS: worker main {_peak_rss_mb(worker.pid):.0f} MB, pool processes "
            + ", ".join(f"{_peak_rss_mb(pid):.0f} MB" for pid in pool),
            flush=True,
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)


if __name__ == "__main__":
    main()
