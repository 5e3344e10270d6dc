"""Documents anyone can verify: the statement PDF carries a signed code; the public page
and the offline command accept a genuine file and refuse one with a changed amount."""

import re
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import selectors
from accounts.statement_pdf import render_statement_pdf
from accounts.views import _statement_context
from core import signed_pdf, signing
from verification import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement_pdf(alice_client):
    response = alice_client.get("/statement/2024.pdf")
    assert response.status_code == 200
    return response.content


def code_of(pdf):
    return signed_pdf.read(pdf)[0]


def test_the_statement_pdf_carries_a_code_that_signs_its_facts(statement_pdf, alice):
    facts = signing.verify(code_of(statement_pdf))
    assert facts["doc"] == "annual_statement"
    assert facts["year"] == 2024
    assert facts["name"] == "A**** W***"  # masked as signed; never the full name
    assert facts["national_id"] == alice.cardholder.masked_national_id
    assert facts["amounts"]["contributions"] == "23040.00"  # 12 × 1,920.00
    assert services.check_pdf(statement_pdf).genuine


def test_the_public_page_says_genuine_and_shows_the_masked_facts(statement_pdf):
    code = code_of(statement_pdf)
    page = Client().get(f"/verify/{code}/")  # anyone, without logging in
    html = page.content.decode()
    assert page.status_code == 200
    assert "This document is genuine." in html
    assert "A**** W***" in html
    assert "¥23040.00" in html
    assert "Alice Wang" not in html


def test_the_public_page_refuses_a_code_with_one_changed_character(client, statement_pdf):
    code = code_of(statement_pdf)
    signature = code.split(".")[1]
    facts = signing.verify(code)
    facts["amounts"]["contributions"] = "93040.00"
    forged = f"{signing._encode(signing.canonical(facts))}.{signature}"
    for bad in (forged, code[:-2] + ("AA" if code[-2:] != "AA" else "BB"), "nonsense", "a.b"):
        page = client.get(f"/verify/{bad}/")
        assert page.status_code == 404
        assert "does not belong to a genuine document" in page.content.decode()


def test_the_form_sends_a_typed_code_to_its_page(client, statement_pdf):
    code = code_of(statement_pdf)
    response = client.get("/verify/", {"code": f"  {code}\n"})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code}/"
    assert client.get("/verify/").status_code == 200


def test_the_command_accepts_a_genuine_file_with_the_published_keys(
    tmp_path, statement_pdf, capsys
):
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(statement_pdf)
    keys = tmp_path / "keys.txt"
    keys.write_text(signing.published_keys_text())
    call_command("verify_document", str(pdf), keys=str(keys))
    assert "genuine annual_statement 2024" in capsys.readouterr().out


def test_the_command_refuses_a_file_whose_amount_was_changed(tmp_path, alice):
    data = _statement_context(selectors.annual_statement(alice.cardholder, 2024))
    genuine = render_statement_pdf(data)
    code = code_of(genuine)
    # The same statement drawn again with one amount changed, carrying the genuine code.
    data["contributions_total"] = data["contributions_total"] + Decimal("1000.00")
    altered = signed_pdf.embed_code(_without_code(render_statement_pdf(data)), code)
    path = tmp_path / "altered.pdf"
    path.write_bytes(altered)
    with pytest.raises(CommandError, match=r"signed amounts not printed: 23040\.00"):
        call_command("verify_document", str(path))


def _without_code(pdf):
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    writer.add_metadata({signed_pdf.METADATA_KEY: ""})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_command_refuses_a_file_signed_by_another_key(tmp_path, statement_pdf, settings):
    path = tmp_path / "statement.pdf"
    path.write_bytes(statement_pdf)
    other = Ed25519PrivateKey.generate()
    seed = other.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    settings.SSCARD_DOCUMENT_SIGNING_KEYS = [signing._encode(seed)]
    with pytest.raises(CommandError, match="signature does not match"):
        call_command("verify_document", str(path))


def test_the_command_refuses_a_file_without_a_code_or_not_a_pdf(tmp_path):
    plain = tmp_path / "plain.pdf"
    from reportlab.pdfgen import canvas

    canvas.Canvas(str(plain)).save()
    with pytest.raises(CommandError, match="no verification code"):
        call_command("verify_document", str(plain))
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    with pytest.raises(CommandError, match="not a readable PDF"):
        call_command("verify_document", str(junk))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("verify_document", str(tmp_path / "missing.pdf"))


def test_keys_rotate_old_documents_stay_verifiable(settings, statement_pdf):
    code = code_of(statement_pdf)
    old_public = signing.published_keys_text().split()[1]
    new = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    settings.SSCARD_DOCUMENT_SIGNING_KEYS = [signing._encode(new)]
    with pytest.raises(signing.InvalidCode):
        signing.verify(code)
    settings.SSCARD_DOCUMENT_VERIFY_KEYS = [old_public]
    assert signing.verify(code)["year"] == 2024
    new_code = signing.sign({"doc": "x"})
    assert signing.verify(new_code)["kid"] != signing.verify(code)["kid"]


def test_the_published_keys_page_lists_the_keys(client):
    text = client.get("/verify/keys.txt").content.decode()
    assert re.fullmatch(r"([0-9a-f]{12} [A-Za-z0-9_-]{43}\n)+", text)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王芳", "王*"), ("欧阳娜娜", "欧***"), ("Wang Fang", "W*** F***"), ("李", "李*")],
)
def test_names_are_masked_before_signing(name, masked):
    assert signing.mask_name(name) == masked
