"""Uploads: refused with their reasons, nothing kept outside the document folder."""

from pathlib import Path

import pytest

from accounts.exceptions import DomainError, NotFound
from casework import storage
from tests.factories import UserFactory, death_claim, png_bytes, staff_with, upload
from withdrawals import selectors, services
from withdrawals.exceptions import DocumentRefused
from withdrawals.models import SupportingDocument

pytestmark = pytest.mark.django_db


def files_under(root):
    return {p for p in Path(root).rglob("*") if p.is_file()}


@pytest.fixture
def claim():
    return death_claim()


def test_a_good_upload_is_stored_under_a_generated_name(claim, settings):
    document = services.document_add(
        application=claim,
        kind="other",
        uploaded_file=upload(png_bytes(), name="photo.png", content_type="text/plain"),
        uploader=claim.applicant,
    )
    path = storage.path_of(document.stored_name)
    assert path.is_relative_to(Path(settings.DOCUMENT_ROOT).resolve())
    assert "photo" not in document.stored_name
    assert path.read_bytes() == png_bytes()
    assert document.content_type == "image/png"  # from the bytes, not the browser
    assert document.size == len(png_bytes())
    assert len(document.sha256) == 64
    assert document.finding == "pending"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00 this is an executable", "unsupported_type"),
        (b"<html><script>alert(1)</script></html>", "unsupported_type"),
    ],
)
def test_bad_files_are_refused_and_not_kept(claim, settings, content, code):
    before = files_under(settings.DOCUMENT_ROOT)
    with pytest.raises(DocumentRefused) as refused:
        services.document_add(
            application=claim,
            kind="other",
            uploaded_file=upload(content, name="x.pdf"),
            uploader=claim.applicant,
        )
    assert (refused.value.code, refused.value.field, refused.value.status) == (code, "file", 400)
    assert files_under(settings.DOCUMENT_ROOT) == before
    assert claim.documents.count() == 3


def test_oversize_is_refused_without_writing_it_all(claim, settings):
    settings.DOCUMENT_MAX_BYTES = 50_000
    before = files_under(settings.DOCUMENT_ROOT)
    big = b"%PDF-1.4\n" + b"0" * 200_000
    with pytest.raises(DocumentRefused) as refused:
        services.document_add(
            application=claim, kind="other", uploaded_file=upload(big), uploader=claim.applicant
        )
    assert refused.value.code == "too_large"
    assert files_under(settings.DOCUMENT_ROOT) == before


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\boot.pdf",
        "/abs/path.pdf",
        "evil\x00name\r\n.pdf",
        "a\u202egnp.pdf",
    ],
)
def test_hostile_names_are_stored_sanitised_and_never_used_as_paths(
    claim, settings, tmp_path, name
):
    document = services.document_add(
        application=claim, kind="other", uploaded_file=upload(name=name), uploader=claim.applicant
    )
    shown = document.original_name
    assert "/" not in shown and "\\" not in shown and ".." not in shown
    assert not any(ord(ch) < 32 or ch == "\u202e" for ch in shown)
    root = Path(settings.DOCUMENT_ROOT).resolve()
    assert all(p.resolve().is_relative_to(root) for p in files_under(root))
    assert not (tmp_path.parent / "passwd.pdf").exists()


def test_stored_names_cannot_escape_the_root():
    with pytest.raises(storage.UnsafePath):
        storage.path_of("../outside.bin")
    with pytest.raises(storage.UnsafePath):
        storage.path_of("/etc/passwd")


def test_a_document_for_someone_elses_application_is_refused(claim, settings):
    mallory = UserFactory()
    before = files_under(settings.DOCUMENT_ROOT)
    with pytest.raises(DomainError) as refused:
        services.document_add(
            application=claim, kind="other", uploaded_file=upload(), uploader=mallory
        )
    assert refused.value.code == "forbidden"
    assert files_under(settings.DOCUMENT_ROOT) == before
    document = claim.documents.first()
    with pytest.raises(DomainError):
        services.document_remove(document=document, actor=mallory)
    with pytest.raises(NotFound):
        selectors.document_get_for_user(mallory, document.pk)
    assert selectors.document_get_for_user(claim.applicant, document.pk) == document
    reviewer = staff_with("review_application")
    assert selectors.document_get_for_user(reviewer, document.pk) == document


def test_unknown_kind_and_wrong_state_are_refused(claim, django_capture_on_commit_callbacks):
    with pytest.raises(DomainError) as kind:
        services.document_add(
            application=claim, kind="selfie", uploaded_file=upload(), uploader=claim.applicant
        )
    assert (kind.value.code, kind.value.field) == ("invalid_choice", "kind")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(claim, actor=claim.applicant)
    with pytest.raises(DomainError) as late:
        services.document_add(
            application=claim, kind="other", uploaded_file=upload(), uploader=claim.applicant
        )
    assert late.value.code == "illegal_transition"


def test_remove_deletes_the_file_after_commit(claim, django_capture_on_commit_callbacks):
    document = claim.documents.first()
    path = storage.path_of(document.stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(document=document, actor=claim.applicant)
    assert not path.exists()
    assert not SupportingDocument.objects.filter(pk=document.pk).exists()


def test_review_findings_and_the_duplicate_flag(django_capture_on_commit_callbacks):
    from withdrawals.tasks import review_application

    first = death_claim()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(first, actor=first.applicant)
    # Another cardholder's claim reuses the very same death certificate file,
    # and adds a PDF that is really encrypted garbage.
    second = death_claim()
    same = storage.path_of(first.documents.get(kind="death_certificate").stored_name).read_bytes()
    second.documents.filter(kind="death_certificate").delete()
    services.document_add(
        application=second,
        kind="death_certificate",
        uploaded_file=upload(same),
        uploader=second.applicant,
    )
    services.document_add(
        application=second,
        kind="other",
        uploaded_file=upload(b"%PDF-1.4\n garbage that is not a PDF"),
        uploader=second.applicant,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(second, actor=second.applicant)
    second.refresh_from_db()
    assert second.status == "awaiting_decision"
    copied = second.documents.get(kind="death_certificate")
    assert copied.finding == "passed"  # a signal for the human, not a failure
    assert copied.duplicate_of_other_cardholder is True
    assert first.documents.get(kind="death_certificate").duplicate_of_other_cardholder is True
    broken = second.documents.get(kind="other")
    assert (broken.finding, broken.finding_codes) == ("failed", ["unreadable"])
    assert "could not be opened" in broken.finding_detail
    # Running the review again changes nothing.
    review_application.delay(second.pk)
    broken.refresh_from_db()
    assert broken.finding_codes == ["unreadable"]
