"""Automated review of uploaded identity documents (withdrawals.inspection).

The whole corpus is generated here: no binary fixtures are committed.
"""

from __future__ import annotations

import hashlib
import io
import struct
import time
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFile
from pypdf import PdfWriter

from casework import inspection
from casework.inspection import (
    MAX_BYTES,
    MAX_PDF_PAGES,
    Inspection,
    Problem,
    inspect_file,
    inspect_upload,
    sanitize_filename,
    sha256_of,
    sniff_type,
)

# --------------------------------------------------------------------------- #
# Corpus generators
# --------------------------------------------------------------------------- #


def make_pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)  # A4 in points
    if password is not None:
        writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_image(fmt: str, width: int = 800, height: int = 600, mode: str = "RGB") -> bytes:
    img = Image.new(mode, (width, height), "white")
    if width >= 100 and height >= 100:  # some content, so the encoders do real work
        draw = ImageDraw.Draw(img)
        draw.rectangle((10, 10, width // 2, height // 2), outline="black", width=3)
        draw.text((20, 20), "DEATH CERTIFICATE No. 123", fill="black")
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def make_png_bomb(width: int, height: int) -> bytes:
    """A *valid* 1-bit greyscale PNG of width x height all-black pixels.

    Decoding 30000 x 30000 would need ~900 MB in Pillow.  The zlib stream is
    built without compressing the ~112 MB of raw scanlines: one compressed
    block of zero rows ends with a full flush (byte aligned, no back
    references), so it can simply be repeated.  The Adler-32 of n zero bytes
    is ((n mod 65521) << 16) | 1.
    """
    row = 1 + (width + 7) // 8  # filter byte + packed bits
    rows_per_block = 256
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(b"\0" * (row * rows_per_block)) + raw.flush(zlib.Z_FULL_FLUSH)
    repeats, rest = divmod(height, rows_per_block)
    tail = raw.compress(b"\0" * (row * rest)) + raw.flush(zlib.Z_FINISH)
    total = row * height
    idat = b"\x78\xda" + block * repeats + tail + struct.pack(">I", ((total % 65521) << 16) | 1)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF header is patched to claim width x height."""
    data = bytearray(make_image("JPEG", 300, 300))
    sof = data.index(b"\xff\xc0")  # baseline SOF0 written by Pillow
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def codes(result: Inspection) -> list[str]:
    return [p.code for p in result.problems]


PDF_1 = make_pdf(1)
JPEG_800 = make_image("JPEG")
PNG_800 = make_image("PNG")

# --------------------------------------------------------------------------- #
# sniff_type
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"", None),
        (b"%PDF", None),  # incomplete signature
        (b"\x89PNG\r\n", None),
        (b" %PDF-1.7", None),  # not at offset 0
        (b"\xef\xbb\xbf%PDF-1.7", None),  # BOM first
        (b"<!DOCTYPE html><script>", None),
        (b"<svg xmlns=", None),
        (b"PK\x03\x04", None),
        (b"GIF89a", None),
        (b"II*\x00", None),  # TIFF
    ],
)
def test_sniff_type(head: bytes, expected: str | None) -> None:
    assert sniff_type(head) == expected


# --------------------------------------------------------------------------- #
# inspect_upload (cheap, at upload time)
# --------------------------------------------------------------------------- #


def test_inspect_upload_accepts_supported_types() -> None:
    assert inspect_upload(PDF_1[:16], len(PDF_1)) == ()
    assert inspect_upload(JPEG_800[:16], len(JPEG_800)) == ()
    assert inspect_upload(PNG_800[:16], len(PNG_800)) == ()


@pytest.mark.parametrize(
    ("head", "size", "expected"),
    [
        (b"", 0, ["empty"]),
        (b"%PDF-1.4", MAX_BYTES + 1, ["too_large"]),
        (b"<html>", 100, ["unsupported_type"]),
        (b"<html>", MAX_BYTES + 1, ["too_large", "unsupported_type"]),
    ],
)
def test_inspect_upload_rejects(head: bytes, size: int, expected: list[str]) -> None:
    problems = inspect_upload(head, size)
    assert [p.code for p in problems] == expected
    assert all(isinstance(p, Problem) and p.message.endswith(".") for p in problems)


def test_inspect_upload_limit_is_a_parameter() -> None:
    assert [p.code for p in inspect_upload(b"%PDF-", 2000, max_bytes=1000)] == ["too_large"]
    assert inspect_upload(b"%PDF-", 1000, max_bytes=1000) == ()


# --------------------------------------------------------------------------- #
# inspect_file: good files pass
# --------------------------------------------------------------------------- #


def test_one_page_pdf_passes(tmp_path: Path) -> None:
    result = inspect_file(write(tmp_path, "death-certificate.pdf", PDF_1))
    assert result.passed, result.problems
    assert result == Inspection("application/pdf", 1, None, None, ())


def test_pdf_at_page_limit_passes(tmp_path: Path) -> None:
    result = inspect_file(write(tmp_path, "kinship.pdf", make_pdf(MAX_PDF_PAGES)))
    assert result.passed
    assert result.pages == MAX_PDF_PAGES


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(JPEG_800, "image/jpeg"), (PNG_800, "image/png")],
    ids=["jpeg", "png"],
)
def test_real_images_pass(tmp_path: Path, data: bytes, content_type: str) -> None:
    result = inspect_file(write(tmp_path, "id-card", data))
    assert result.passed, result.problems
    assert (result.content_type, result.width, result.height) == (content_type, 800, 600)
    assert result.pages is None


def test_image_at_minimum_side_passes(tmp_path: Path) -> None:
    result = inspect_file(write(tmp_path, "x.png", make_image("PNG", 200, 200, "L")))
    assert result.passed


def test_accepts_file_objects_and_restores_position() -> None:
    buf = io.BytesIO(JPEG_800)
    buf.seek(5)
    assert inspect_file(buf).passed
    assert buf.tell() == 5
    assert not buf.closed


class _Stream(io.RawIOBase):
    """A non-seekable stream, like a socket or some storage backends."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def test_accepts_non_seekable_streams() -> None:
    assert inspect_file(_Stream(PDF_1)).passed
    assert codes(inspect_file(_Stream(b"A" * 2000), max_bytes=1000)) == [
        "too_large",
        "unsupported_type",
    ]


# --------------------------------------------------------------------------- #
# inspect_file: bad files are rejected with their code
# --------------------------------------------------------------------------- #

HTML_WITH_SCRIPT = b"<!DOCTYPE html><html><body><script>fetch('/api/me')</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)


def _zip_with_pdf_inside() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("scan.pdf", PDF_1)
    return out.getvalue()


BAD_FILES = {
    # name: (file name on disk, content, expected codes)
    "empty": ("empty.pdf", b"", ["empty"]),
    "wrong magic named .pdf": (
        "certificate.pdf",
        b"Hello, this is not a PDF." * 10,
        ["unsupported_type"],
    ),
    "html with script": ("id.pdf", HTML_WITH_SCRIPT, ["unsupported_type"]),
    "svg with script": ("photo.png", SVG_WITH_SCRIPT, ["unsupported_type"]),
    "html with %PDF- later": ("x.pdf", b"<html><!-- %PDF-1.4 -->" + PDF_1, ["unsupported_type"]),
    "zip containing a pdf": ("x.pdf", _zip_with_pdf_inside(), ["unsupported_type"]),
    "pdf after a space": ("x.pdf", b" " + PDF_1, ["unsupported_type"]),
    "gif": ("x.png", b"GIF89a" + b"\0" * 100, ["unsupported_type"]),
    "pdf header then garbage": ("x.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40, ["unreadable"]),
    "pdf header then html": (
        "x.pdf",
        b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n",
        ["unreadable"],
    ),
    "truncated pdf": ("x.pdf", PDF_1[: len(PDF_1) // 2], ["unreadable"]),
    "pdf cut before %%EOF": ("x.pdf", PDF_1[:-40], ["unreadable"]),
    "encrypted pdf": ("x.pdf", make_pdf(1, password="s3cret"), ["encrypted"]),
    "pdf with too many pages": ("x.pdf", make_pdf(MAX_PDF_PAGES + 1), ["too_many_pages"]),
    "pdf with no pages": ("x.pdf", make_pdf(0), ["no_pages"]),
    "tiny png": ("x.png", make_image("PNG", 10, 10), ["image_too_small"]),
    "narrow jpeg": ("x.jpg", make_image("JPEG", 1000, 150), ["image_too_small"]),
    "truncated jpeg": ("x.jpg", JPEG_800[: len(JPEG_800) // 2], ["unreadable"]),
    "truncated png": ("x.png", PNG_800[: len(PNG_800) // 2], ["unreadable"]),
    "png magic then garbage": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\xab" * 500, ["unreadable"]),
    "jpeg magic then garbage": ("x.jpg", b"\xff\xd8\xff" + b"\x00" * 500, ["unreadable"]),
    "png with corrupt idat crc": (
        "x.png",
        PNG_800[:-20] + bytes([PNG_800[-20] ^ 0xFF]) + PNG_800[-19:],
        ["unreadable"],
    ),
}


@pytest.mark.parametrize(("name", "data", "expected"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_files_are_rejected(
    tmp_path: Path, name: str, data: bytes, expected: list[str]
) -> None:
    result = inspect_file(write(tmp_path, name, data))
    assert codes(result) == expected
    assert not result.passed
    for problem in result.problems:
        # Plain sentences for a human reviewer, no exception reprs.
        assert problem.message[0].isupper() and problem.message.endswith(".")
        assert "Error" not in problem.message and "Traceback" not in problem.message


def test_reported_details() -> None:
    many = inspect_file(io.BytesIO(make_pdf(MAX_PDF_PAGES + 1)))
    assert many.pages == MAX_PDF_PAGES + 1
    assert "31 pages" in many.problems[0].message
    tiny = inspect_file(io.BytesIO(make_image("PNG", 10, 10)))
    assert (tiny.content_type, tiny.width, tiny.height) == ("image/png", 10, 10)
    assert "10 x 10" in tiny.problems[0].message
    assert inspect_file(io.BytesIO(HTML_WITH_SCRIPT)).content_type is None


def test_oversized_file_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an oversized file reached the PDF parser")

    monkeypatch.setattr(inspection, "PdfReader", must_not_parse)
    path = tmp_path / "huge.pdf"
    with path.open("wb") as fh:
        fh.write(PDF_1)
        fh.truncate(MAX_BYTES + 1)  # sparse: cheap to make
    assert path.stat().st_size == MAX_BYTES + 1
    result = inspect_file(path)
    assert codes(result) == ["too_large"]
    assert result.content_type == "application/pdf"
    assert "10 MB" in result.problems[0].message


def test_missing_file_is_a_storage_error_not_a_finding(tmp_path: Path) -> None:
    # The applicant did nothing wrong: let the task fail/retry instead.
    with pytest.raises(FileNotFoundError):
        inspect_file(tmp_path / "gone.pdf")


def test_file_exactly_at_limit_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "limit.pdf"
    path.write_bytes(PDF_1)
    assert codes(inspect_file(path, max_bytes=len(PDF_1))) == []
    assert codes(inspect_file(path, max_bytes=len(PDF_1) - 1)) == ["too_large"]


def test_limits_are_parameters() -> None:
    assert codes(inspect_file(io.BytesIO(make_pdf(3)), max_pages=2)) == ["too_many_pages"]
    assert codes(inspect_file(io.BytesIO(JPEG_800), max_pixels=800 * 600 - 1)) == [
        "image_too_large"
    ]
    assert inspect_file(io.BytesIO(JPEG_800), max_pixels=800 * 600).passed
    assert codes(inspect_file(io.BytesIO(JPEG_800), min_side=601)) == ["image_too_small"]


def test_type_mismatch_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow is restricted to JPEG/PNG and sniffs the same magic bytes, so a real
    # disagreement cannot be produced from a file; simulate Pillow declaring
    # a JPEG to be a PNG.
    monkeypatch.setitem(inspection._PILLOW_FORMATS, "JPEG", inspection.PNG)
    result = inspect_file(io.BytesIO(JPEG_800))
    assert codes(result) == ["type_mismatch"]
    assert result.content_type == "image/jpeg"


# --------------------------------------------------------------------------- #
# Decompression bombs: refused from the header, never decoded
# --------------------------------------------------------------------------- #


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record (and refuse) any attempt to decode pixel data."""
    calls: list[tuple[int, int]] = []

    def spy(self: ImageFile.ImageFile) -> None:
        calls.append(self.size)
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


@pytest.mark.parametrize(
    ("data", "size"),
    [
        # 900 Mpx: above Pillow's own hard limit too.
        (make_png_bomb(30_000, 30_000), (30_000, 30_000)),
        # 48 Mpx: under Pillow's limit (89 Mpx), above ours (40 Mpx).
        (make_png_bomb(8_000, 6_000), (8_000, 6_000)),
        # JPEG headers: one caught by Pillow's limit, one by ours.
        (jpeg_declaring(65_000, 65_000), None),
        (jpeg_declaring(8_000, 6_000), (8_000, 6_000)),
    ],
    ids=["png-900Mpx", "png-48Mpx", "jpeg-4Gpx", "jpeg-48Mpx"],
)
def test_decompression_bombs_rejected_without_decoding(
    tmp_path: Path,
    no_decoding: list[tuple[int, int]],
    data: bytes,
    size: tuple[int, int] | None,
) -> None:
    assert len(data) < 200_000  # small on disk ...
    path = write(tmp_path, "bomb.png", data)
    started = time.perf_counter()
    result = inspect_file(path)
    elapsed = time.perf_counter() - started
    assert codes(result) == ["image_too_large"]
    assert no_decoding == []  # ... and never decoded
    assert elapsed < 1.0
    if size is not None:
        assert (result.width, result.height) == size
        assert f"{size[0]} x {size[1]}" in result.problems[0].message


def test_png_bomb_generator_is_a_valid_png() -> None:
    # The bomb would decode if let through: check its header and zlib stream
    # are sound (streamed, so this stays cheap in memory).
    data = make_png_bomb(2_000, 1_000)
    with Image.open(io.BytesIO(data)) as img:
        assert (img.format, img.size, img.mode) == ("PNG", (2_000, 1_000), "1")
        img.load()
        assert img.getextrema() == (0, 0)
    assert inspect_file(io.BytesIO(data)).passed


# --------------------------------------------------------------------------- #
# sanitize_filename
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("death certificate.pdf", "death certificate.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a\\b\\c.pdf", "c.pdf"),
        ("C:\\Users\\li\\Desktop\\scan.PNG", "scan.PNG"),
        ("/var/www/../secret.jpg", "secret.jpg"),
        ("evil\x00.pdf", "evil.pdf"),
        ("id\x00/../../x.pdf", "x.pdf"),
        ("in\x07voi\x1bce\r\n.pdf", "invoice.pdf"),
        ("tab\tand  many   spaces .jpg", "tab and many spaces.jpg"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # RLO would display as "exe.jpg"
        ("a\u200b\u2066b\u2069\ufeff.pdf", "ab.pdf"),  # zero-width and isolate controls
        ("e\u0301tat civil.pdf", "\u00e9tat civil.pdf"),  # NFC
        ("身份证 正面.jpg", "身份证 正面.jpg"),
        ("report..final.pdf", "report.final.pdf"),
        ("..", "document"),
        (".", "document"),
        ("...", "document"),
        ("foo/..", "document"),
        ("", "document"),
        ("   ", "document"),
        ("\x00\x01\u202e", "document"),
        ("   .pdf", "pdf"),
        (".htaccess", "htaccess"),
        ("name.", "name"),
    ],
)
def test_sanitize_filename(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_sanitize_filename_truncates_keeping_extension() -> None:
    result = sanitize_filename("a" * 300 + ".pdf")
    assert len(result) == 100
    assert result == "a" * 96 + ".pdf"
    assert sanitize_filename("abcdef.pdf", max_length=6) == "ab.pdf"
    # A truncation point landing on dots or spaces does not leave "..".
    assert sanitize_filename("ab....cd.pdf", max_length=7) == "ab.pdf"
    assert sanitize_filename("ab  cd.pdf", max_length=7) == "ab.pdf"
    # No extension, or an extension that does not fit: plain truncation.
    assert sanitize_filename("x" * 300) == "x" * 100
    assert sanitize_filename("a.pdf", max_length=3) == "a.p"


_NASTY = st.sampled_from(
    ["/", "\\", ".", "..", " ", "\x00", "\x1b", "\n", "\u202e", "\u200f", "\ufeff",
     "\u2028", "\x85", "a", "Z", "é", "e\u0301", "身", ".pdf", "\ud800", "\U0001f600"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    name=st.one_of(st.text(), st.lists(_NASTY, max_size=30).map("".join)),
    max_length=st.integers(min_value=1, max_value=120),
)
@example(name="../" * 50, max_length=100)
@example(name="a." + "." * 200 + "pdf", max_length=5)
def test_sanitize_filename_invariants(name: str, max_length: int) -> None:
    result = sanitize_filename(name, max_length=max_length)
    assert result
    assert len(result) <= max_length
    assert "/" not in result and "\\" not in result
    assert ".." not in result
    assert not result.startswith((".", " "))
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in result)
    result.encode("utf-8")  # storable in the database


# --------------------------------------------------------------------------- #
# sha256_of
# --------------------------------------------------------------------------- #


def test_sha256_of_streams_and_rewinds() -> None:
    data = JPEG_800 * 3
    buf = io.BytesIO(data)
    buf.seek(10)
    assert sha256_of(buf, chunk_size=1000) == hashlib.sha256(data).hexdigest()
    assert buf.tell() == 0
    assert sha256_of(io.BytesIO(b"")) == hashlib.sha256(b"").hexdigest()


def test_sha256_of_non_seekable_stream() -> None:
    assert sha256_of(_Stream(PDF_1), chunk_size=7) == hashlib.sha256(PDF_1).hexdigest()


def test_sha256_of_file_on_disk(tmp_path: Path) -> None:
    path = write(tmp_path, "x.pdf", PDF_1)
    with path.open("rb") as fh:
        assert sha256_of(fh) == hashlib.sha256(PDF_1).hexdigest()


# --------------------------------------------------------------------------- #
# inspect_file never raises on arbitrary content
# --------------------------------------------------------------------------- #

_SEEDS = [
    PDF_1,
    make_pdf(2),
    make_pdf(1, password="x"),
    make_image("JPEG", 220, 210),
    make_image("PNG", 220, 210),
    make_png_bomb(300, 300),
]
_MAGIC = [b"", b"%PDF-", b"%PDF-1.7\n", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"]
_KNOWN_CODES = {
    "empty",
    "too_large",
    "unsupported_type",
    "unreadable",
    "encrypted",
    "too_many_pages",
    "no_pages",
    "image_too_large",
    "image_too_small",
    "type_mismatch",
}


@st.composite
def _mutated_seed(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] = draw(st.integers(0, 255))
    cut = draw(st.integers(1, len(data)))
    return bytes(data[:cut])


_CONTENT = st.one_of(
    st.binary(max_size=2048),
    st.tuples(st.sampled_from(_MAGIC), st.binary(max_size=2048)).map(b"".join),
    _mutated_seed(),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=_CONTENT)
def test_inspect_file_never_raises(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    result = inspect_file(path, max_bytes=64 * 1024)
    assert isinstance(result, Inspection)
    assert {p.code for p in result.problems} <= _KNOWN_CODES
    assert result.passed == (not result.problems)
    if result.content_type is None:
        assert not result.passed
