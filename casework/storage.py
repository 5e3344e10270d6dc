"""Where uploaded documents live: under settings.DOCUMENT_ROOT, by generated names only.

The uploaded file name is never part of a path. Every path is resolved and
checked to stay inside the document root before it is opened.
"""

import contextlib
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from casework import inspection

CHUNK = 64 * 1024


class UnsafePath(ValueError):
    """A stored name that would resolve outside the document root."""


def root() -> Path:
    return Path(settings.DOCUMENT_ROOT).resolve()


def new_name() -> str:
    """A fresh relative name, fanned out over 256 folders: 'ab/ab12…ef.bin'."""
    token = uuid.uuid4().hex
    return f"{token[:2]}/{token}.bin"


def path_of(stored_name: str) -> Path:
    """The absolute path of a stored name, refusing anything outside the root."""
    base = root()
    path = (base / stored_name).resolve()
    if not path.is_relative_to(base) or path == base:
        raise UnsafePath(stored_name)
    return path


@dataclass(frozen=True)
class Stored:
    stored_name: str
    size: int
    sha256: str
    head: bytes


def save_stream(chunks, *, max_bytes: int) -> Stored:
    """Write `chunks` to a new file, hashing and counting as it goes.

    Writing stops once more than `max_bytes` arrived (the rest is only counted),
    so an oversized upload never fills the disk. The caller deletes the file if
    it refuses the upload.
    """
    stored_name = new_name()
    path = path_of(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    # O_EXCL: a fresh name is never an existing file (or a planted symlink).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                if not chunk:
                    continue
                if len(head) < inspection.HEAD_SIZE:
                    head += chunk[: inspection.HEAD_SIZE - len(head)]
                if size <= max_bytes:
                    out.write(chunk)
                    digest.update(chunk)
                size += len(chunk)
    except BaseException:
        delete(stored_name)
        raise
    return Stored(stored_name, size, digest.hexdigest(), head)


def delete(stored_name: str) -> None:
    with contextlib.suppress(UnsafePath):
        path_of(stored_name).unlink(missing_ok=True)


def open_document(stored_name: str):
    """Open a stored document for reading (binary)."""
    return open(path_of(stored_name), "rb")
