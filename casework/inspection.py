"""Automated review of the documents uploaded for a case.

Heirs and emigrants upload death certificates, proofs of kinship, ID cards and
exit certificates.  Every stored file is reviewed here before a human looks at
it; the findings (``Problem`` objects) are shown to the reviewer.

Everything in this module is a pure function over bytes, paths or file objects:
no ORM, no Django settings.  Limits are parameters with module-level defaults so
callers can pass values from settings.

Safety rules followed throughout:

* The type is decided by magic bytes at offset 0 only, never by the file name
  or the browser's Content-Type.  Only PDF, JPEG and PNG are accepted.
* Oversized files are not parsed at all.
* Image dimensions are read from the header and checked *before* any pixel
  data is decoded, so decompression bombs are refused cheaply.
* Parser failures on hostile or broken content never escape: they become an
  ``unreadable`` problem.  (Errors opening or reading the file itself, e.g. a
  missing path, are storage faults rather than document faults and propagate.)
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, BinaryIO

from PIL import Image
from pypdf import PdfReader

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 30
MAX_IMAGE_PIXELS = 40_000_000
MIN_IMAGE_SIDE = 200  # below this a document photo is too small to read

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
ALLOWED_TYPES = (PDF, JPEG, PNG)

# Problem codes.
EMPTY = "empty"
TOO_LARGE = "too_large"
UNSUPPORTED_TYPE = "unsupported_type"
UNREADABLE = "unreadable"
ENCRYPTED = "encrypted"
TOO_MANY_PAGES = "too_many_pages"
NO_PAGES = "no_pages"
IMAGE_TOO_LARGE = "image_too_large"
IMAGE_TOO_SMALL = "image_too_small"
TYPE_MISMATCH = "type_mismatch"

HEAD_SIZE = 16  # enough bytes for every signature we sniff

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)

# Pillow format names -> the MIME type they belong to.  MPO is a JPEG with
# extra frames (many phone cameras write it); APNG reports itself as PNG.
_PILLOW_FORMATS = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG}
_TYPE_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class Inspection:
    content_type: str | None
    pages: int | None
    width: int | None
    height: int | None
    problems: tuple[Problem, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.problems)


# --------------------------------------------------------------------------- #
# Type sniffing and the cheap upload-time checks
# --------------------------------------------------------------------------- #


def sniff_type(head: bytes) -> str | None:
    """Return the MIME type given by the magic bytes at offset 0, else None."""
    head = bytes(head[:HEAD_SIZE])
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.1f} KB".replace(".0 KB", " KB")
    return f"{size} bytes"


def _empty() -> Problem:
    return Problem(EMPTY, "The file is empty (0 bytes).")


def _too_large(size: int, max_bytes: int) -> Problem:
    return Problem(
        TOO_LARGE,
        f"The file is too large ({size:,} bytes); the limit is {_human_size(max_bytes)}.",
    )


def _unsupported() -> Problem:
    return Problem(
        UNSUPPORTED_TYPE,
        "The file is not a PDF, JPEG or PNG document (checked from its content, not its name).",
    )


def _unreadable(what: str = "file") -> Problem:
    return Problem(
        UNREADABLE,
        f"The {what} could not be opened; it is damaged, incomplete or not really a {what}.",
    )


def inspect_upload(head: bytes, size: int, *, max_bytes: int = MAX_BYTES) -> tuple[Problem, ...]:
    """Cheap checks made while accepting an upload: emptiness, size, type."""
    if size <= 0:
        return (_empty(),)
    problems: list[Problem] = []
    if size > max_bytes:
        problems.append(_too_large(size, max_bytes))
    if sniff_type(head) is None:
        problems.append(_unsupported())
    return tuple(problems)


# --------------------------------------------------------------------------- #
# Full review of a stored file
# --------------------------------------------------------------------------- #


@contextmanager
def _opened(
    path_or_fileobj: str | os.PathLike[str] | IO[bytes], spool_limit: int
) -> Iterator[tuple[BinaryIO, int]]:
    """Yield a seekable binary file positioned at 0 and its size in bytes.

    A file object's position is restored afterwards.  A non-seekable stream is
    copied to a temporary file, keeping at most ``spool_limit`` bytes (the rest
    is only counted, since an oversized file is never parsed).
    """
    if isinstance(path_or_fileobj, str | bytes | os.PathLike):
        with open(path_or_fileobj, "rb") as fh:
            yield fh, os.fstat(fh.fileno()).st_size
        return

    fileobj = path_or_fileobj
    if _is_seekable(fileobj):
        start = fileobj.tell()
        try:
            fileobj.seek(0, io.SEEK_END)
            size = fileobj.tell()
            fileobj.seek(0)
            yield fileobj, size  # type: ignore[misc]
        finally:
            with suppress(OSError, ValueError):
                fileobj.seek(start)
        return

    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        size = 0
        while chunk := fileobj.read(1 << 16):
            if size < spool_limit:
                spool.write(chunk[: spool_limit - size])
            size += len(chunk)
        spool.seek(0)
        yield spool, size  # type: ignore[misc]


def inspect_file(
    path_or_fileobj: str | os.PathLike[str] | IO[bytes],
    *,
    max_bytes: int = MAX_BYTES,
    max_pages: int = MAX_PDF_PAGES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    min_side: int = MIN_IMAGE_SIDE,
) -> Inspection:
    """Review a stored upload completely: size, type by content, then the PDF
    or image itself.

    Never raises because of the file's *content*; findings are reported in the
    returned ``Inspection``.  An I/O error opening or reading the file (missing
    path, closed file) does propagate: that is a storage fault, not the
    applicant's.
    """
    with _opened(path_or_fileobj, spool_limit=max_bytes + 1) as (fh, size):
        if size == 0:
            return Inspection(None, None, None, None, (_empty(),))
        head = fh.read(HEAD_SIZE)
        fh.seek(0)
        content_type = sniff_type(head)
        problems = inspect_upload(head, size, max_bytes=max_bytes)
        if problems:
            # Too large or not a supported type: never hand it to a parser.
            return Inspection(content_type, None, None, None, problems)

        if content_type == PDF:
            pages, found = _inspect_pdf(fh, max_pages=max_pages)
            return Inspection(content_type, pages, None, None, found)

        width, height, found = _inspect_image(
            fh, content_type, max_pixels=max_pixels, min_side=min_side
        )
        return Inspection(content_type, None, width, height, found)


def _inspect_pdf(fh: BinaryIO, *, max_pages: int) -> tuple[int | None, tuple[Problem, ...]]:
    try:
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted:
            return None, (
                Problem(
                    ENCRYPTED,
                    "The PDF is password-protected or encrypted, so it cannot be reviewed. "
                    "Ask for an unprotected copy.",
                ),
            )
        pages = len(reader.pages)
        if pages > max_pages:
            return pages, (
                Problem(
                    TOO_MANY_PAGES,
                    f"The PDF has {pages} pages; at most {max_pages} are allowed.",
                ),
            )
        if pages == 0:
            return 0, (Problem(NO_PAGES, "The PDF contains no pages."),)
        # Resolve every page object so a broken page tree is caught here.
        for _page in reader.pages:
            pass
    except Exception as exc:  # any parser failure on hostile input
        logger.debug("PDF could not be parsed: %r", exc)
        return None, (_unreadable("PDF"),)
    return pages, ()


def _png_header_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk (always first), if present."""
    if len(head) >= 24 and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    return None


def _bomb(width: int | None, height: int | None, max_pixels: int) -> Problem:
    if width is None or height is None:
        size = "The image declares a size larger than"
    else:
        size = f"The image is {width} x {height} pixels, more than"
    return Problem(
        IMAGE_TOO_LARGE,
        f"{size} the {max_pixels:,} pixels allowed; it was not decoded because "
        "it may be a decompression bomb.",
    )


def _inspect_image(
    fh: BinaryIO,
    content_type: str | None,
    *,
    max_pixels: int,
    min_side: int,
) -> tuple[int | None, int | None, tuple[Problem, ...]]:
    label = _TYPE_LABELS.get(content_type or "", "image")
    width: int | None = None
    height: int | None = None

    # 1. Dimensions from the header, checked before Pillow decodes anything.
    if content_type == PNG:
        fh.seek(0)
        dims = _png_header_size(fh.read(24))
        fh.seek(0)
        if dims is not None:
            width, height = dims
            if width * height > max_pixels:
                return width, height, (_bomb(width, height, max_pixels),)

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # 2. Image.open parses the header only; it raises on huge sizes
            #    (Pillow's own limit) and we apply ours before any decoding.
            with Image.open(fh, formats=("JPEG", "PNG")) as img:
                width, height = img.size
                if width * height > max_pixels:
                    return width, height, (_bomb(width, height, max_pixels),)
                declared = _PILLOW_FORMATS.get(img.format or "")
                if declared != content_type:
                    mismatch = Problem(
                        TYPE_MISMATCH,
                        f"The file starts like a {label} but its image data is "
                        f"{img.format or 'of an unknown format'}.",
                    )
                    return width, height, (mismatch,)
                # 3. Structure and checksums, still without decoding pixels.
                img.verify()
            # 4. verify() leaves the image unusable: reopen and decode fully.
            fh.seek(0)
            with Image.open(fh, formats=("JPEG", "PNG")) as img:
                img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            logger.debug("Image refused as a decompression bomb: %r", exc)
            return width, height, (_bomb(width, height, max_pixels),)
        except Exception as exc:  # any decoder failure on hostile input
            logger.debug("Image could not be decoded: %r", exc)
            return width, height, (_unreadable(label),)

    if width < min_side or height < min_side:
        too_small = Problem(
            IMAGE_TOO_SMALL,
            f"The image is only {width} x {height} pixels, too small to read; "
            f"each side must be at least {min_side} pixels.",
        )
        return width, height, (too_small,)
    return width, height, ()


# --------------------------------------------------------------------------- #
# Display file names and hashing
# --------------------------------------------------------------------------- #

_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})  # controls, format (bidi etc.), surrogates
_DOT_RUNS = re.compile(r"\.{2,}")
_EXT = re.compile(r"\.[^\W_]{1,10}$")  # a short alphanumeric extension
_FALLBACK = "document"


def sanitize_filename(name: str, *, max_length: int = 100) -> str:
    """Make the client's original file name safe to *display*.

    The result never contains a path separator, "..", or a control/format
    character (NUL, bidi overrides such as U+202E, ...).  It is never used as a
    storage path.
    """
    max_length = max(1, max_length)
    if not isinstance(name, str):
        name = str(name or "")
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if ch.isspace() else ch  # tab, newline, ... still separate words
        for ch in name
        if ch.isspace() or unicodedata.category(ch) not in _DROP_CATEGORIES
    )
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split())  # collapse (Unicode) whitespace
    name = _DOT_RUNS.sub(".", name)
    name = name.lstrip(". ").rstrip(". ")

    match = _EXT.search(name)
    ext = match.group(0) if match and match.start() > 0 else ""
    stem = name[: len(name) - len(ext)] if ext else name
    if len(ext) >= max_length:
        ext = ""
        stem = name
    stem = stem[: max_length - len(ext)].rstrip(". ")
    if not stem:
        stem = _FALLBACK[: max(1, max_length - len(ext))]
    result = (stem + ext)[:max_length]
    # Belt and braces: the invariants must hold whatever the input was.
    result = _DOT_RUNS.sub(".", result.replace("/", "").replace("\\", ""))
    return result or _FALLBACK[:max_length]


def sha256_of(fileobj: IO[bytes], chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file object, read in chunks; rewinds before and after
    when the object is seekable."""
    seekable = _is_seekable(fileobj)
    if seekable:
        fileobj.seek(0)
    digest = hashlib.sha256()
    while chunk := fileobj.read(chunk_size):
        digest.update(chunk)
    if seekable:
        fileobj.seek(0)
    return digest.hexdigest()


def _is_seekable(fileobj: object) -> bool:
    try:
        return bool(fileobj.seekable())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
