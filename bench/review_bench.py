"""Document review benchmark: documents reviewed per second by one worker process.

Creates heirs' death claims for generated cardholders, each with three documents —
a mix of ~1 MB PDFs and ~1 MB JPEGs, every file different — submits them (which
queues one review per claim), then times the review:

- ``--mode inline`` (default): the review task's function runs in this one process
  for every queued claim, one after another;
- ``--mode worker``: a real ``celery -A sscard worker -c 1`` on Redis consumes the
  queued reviews; the clock runs from its start until every claim has left review.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/review_bench.py --claims 100 --mode inline

Documents are written under bench/out/documents (removed at the end).
"""

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DOCUMENTS = OUT / "documents"


def _scan(rng):
    """A 1600 × 1200 photo-like image (noise compresses about as badly as a photo)."""
    from PIL import Image

    width, height = 1600, 1200
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    return Image.merge("RGB", (noise, noise, noise))


def pdf_file(rng):
    """A ~1 MB scanned-certificate PDF: one page holding a JPEG-compressed scan."""
    out = io.BytesIO()
    _scan(rng).save(out, format="PDF", quality=70, resolution=150)
    return out.getvalue()


def jpeg_file(rng):
    """A ~1 MB JPEG photo of a certificate."""
    out = io.BytesIO()
    _scan(rng).save(out, format="JPEG", quality=70)
    return out.getvalue()


def setup_claims(claims, rng):
    """`claims` submitted death claims with 3 documents each; returns their ids."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Account, Cardholder, User
    from withdrawals import services

    holders = list(
        Cardholder.objects.filter(
            card_number__startswith="G",
            life_status="living",
            cases__isnull=True,
        )
        .filter(
            accounts__kind=Account.Kind.PERSONAL,
            accounts__scheme="pension",
            accounts__balance__gt=0,
        )
        .order_by("-id")[:claims]
    )
    if len(holders) < claims:
        raise SystemExit("not enough generated cardholders: run generate_population first")
    ids, sizes = [], []
    for n, holder in enumerate(holders):
        heir, _ = User.objects.get_or_create(username=f"bench-heir-{holder.pk}")
        application = services.application_create_draft(
            applicant=heir,
            cardholder=holder,
            reason="death",
            relationship="child",
            bank_name="Bank of Example",
            bank_account_holder="Heir Example",
            bank_account_number="6222 0202 0011 2233 445",
        )
        for k, kind in enumerate(("death_certificate", "heirship_proof", "applicant_id")):
            if (n + k) % 2:
                content, name, content_type = jpeg_file(rng), "scan.jpg", "image/jpeg"
            else:
                content, name, content_type = pdf_file(rng), "scan.pdf", "application/pdf"
            sizes.append((content_type, len(content)))
            services.document_add(
                application=application,
                kind=kind,
                uploaded_file=SimpleUploadedFile(name, content, content_type),
                uploader=heir,
            )
        services.application_submit(application, actor=heir)
        ids.append(application.pk)
    return ids, sizes


def review_inline(ids):
    from withdrawals.tasks import review_application

    started = time.perf_counter()
    for application_id in ids:
        review_application(application_id)
    return time.perf_counter() - started


def review_with_worker(ids, timeout):
    from withdrawals.models import REVIEW_STATES, WithdrawalApplication

    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "sscard",
            "worker",
            "-c",
            "1",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            left = WithdrawalApplication.objects.filter(pk__in=ids, status__in=REVIEW_STATES)
            if not left.exists():
                return time.perf_counter() - started
            time.sleep(0.05)
        raise SystemExit(f"reviews not finished after {timeout}s")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100, help="claims of 3 documents each")
    parser.add_argument("--mode", choices=["inline", "worker"], default="inline")
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    os.environ["SSCARD_DOCUMENT_ROOT"] = str(DOCUMENTS)
    if args.mode == "worker" and not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        raise SystemExit("--mode worker needs CELERY_BROKER_URL=redis://…")
    if args.mode == "inline":
        # Queue nowhere: the reviews run below, in this process.
        os.environ["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.CELERY_TASK_ALWAYS_EAGER = False
    from sscard.celery import app

    app.conf.task_always_eager = False
    rng = random.Random(args.seed)
    DOCUMENTS.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        ids, sizes = setup_claims(args.claims, rng)
        setup_s = time.perf_counter() - t0
        if args.mode == "inline":
            elapsed = review_inline(ids)
        else:
            elapsed = review_with_worker(ids, args.timeout)
        from django.db.models import Count

        from withdrawals.models import SupportingDocument

        findings = dict(
            SupportingDocument.objects.filter(case_id__in=ids)
            .values_list("finding")
            .annotate(n=Count("id"))
        )
    finally:
        shutil.rmtree(DOCUMENTS, ignore_errors=True)
    documents = len(sizes)
    result = {
        "mode": args.mode,
        "claims": len(ids),
        "documents": documents,
        "jpeg": sum(1 for t, _ in sizes if t == "image/jpeg"),
        "pdf": sum(1 for t, _ in sizes if t == "application/pdf"),
        "mean_bytes": round(sum(s for _, s in sizes) / documents),
        "setup_s": round(setup_s, 1),
        "review_s": round(elapsed, 2),
        "documents_per_s": round(documents / elapsed, 1),
        "findings": findings,
        "loadavg": os.getloadavg(),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / f"review-{args.mode}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
