"""Uploaded files: size limit, type checked from the content, random names outside static.

A domain links a StoredFile to its own object and decides who may download it; this module
only stores and streams bytes.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import filetype
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.datastructures import FileStorage

from app.core.database import Base, utcnow
from app.core.errors import ValidationError


@dataclass(frozen=True)
class Kind:
    extensions: tuple[str, ...]
    mime: str
    label: str


KINDS = {
    "pdf": Kind((".pdf",), "application/pdf", "PDF"),
    "docx": Kind(
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (DOCX)",
    ),
    "xlsx": Kind(
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel (XLSX)",
    ),
    "png": Kind((".png",), "image/png", "PNG"),
    "jpeg": Kind((".jpg", ".jpeg"), "image/jpeg", "JPEG"),
}
DOCUMENTS = ("pdf", "docx", "xlsx", "png", "jpeg")


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, size // 1024)} KB"


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def size_label(self) -> str:
        return human_size(self.size)


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored: StoredFile) -> Path:
    return upload_dir() / stored.stored_name


def _zip_member(data: bytes, prefix: str) -> bool:
    """An Office Open XML file is a zip whose content names its part (word/, xl/)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)


def detect_kind(data: bytes) -> str | None:
    guess = filetype.guess(data)
    if guess is not None:
        if guess.extension == "pdf":
            return "pdf"
        if guess.extension == "png":
            return "png"
        if guess.extension == "jpg":
            return "jpeg"
    if data[:4] == b"PK\x03\x04":
        if _zip_member(data, "word/"):
            return "docx"
        if _zip_member(data, "xl/"):
            return "xlsx"
    return None


def check_filename(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Choose a file to upload."), fields={"file": "required"})
    if any(part in name for part in ("/", "\\", "\x00")) or name.startswith(".") or ".." in name:
        raise ValidationError(
            _("The file name is not acceptable: rename the file and upload it again."),
            fields={"file": "bad name"},
        )
    if len(name) > 200:
        raise ValidationError(_("The file name is too long."), fields={"file": "too long"})
    return name


def _too_large(max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than %(size)s.", size=human_size(max_bytes)),
        fields={"file": "too large"},
    )


def _empty() -> ValidationError:
    return ValidationError(_("The file is empty."), fields={"file": "empty"})


def read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise _empty()
    return data


def limited_stream(stream: IO[bytes], max_bytes: int) -> IO[bytes]:
    """`stream`, rewound, if it holds at most `max_bytes`. A stream that can seek (an upload
    spooled to disk, an open file) is measured without being read; another is read into
    memory up to the limit."""
    if not stream.seekable():
        return io.BytesIO(read_limited(stream, max_bytes))
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > max_bytes:
        raise _too_large(max_bytes)
    if size == 0:
        raise _empty()
    return stream


def check_zip_sizes(
    stream: IO[bytes], *, label: str, max_uncompressed: int, max_members: int = 10_000
) -> None:
    """Refuse a zip-based file (an .xlsx, a .docx) that would inflate past `max_uncompressed`
    bytes, from the sizes its central directory declares, before anything is unpacked.

    Those declared sizes bound the work: Python's zipfile stops each member at its declared
    size, and a member that holds more fails its CRC check instead of inflating further."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ValidationError(
            _("This file is not a %(kind)s file.", kind=label), fields={"file": "type"}
        ) from None
    finally:
        stream.seek(0)
    if len(members) > max_members or sum(m.file_size for m in members) > max_uncompressed:
        raise ValidationError(
            _(
                "This file would unpack to more than %(size)s: it is refused unread.",
                size=human_size(max_uncompressed),
            ),
            fields={"file": "too large unpacked"},
        )


def store(
    session: Session,
    upload: FileStorage,
    *,
    allowed: tuple[str, ...] = DOCUMENTS,
    uploaded_by_id: int | None = None,
    max_bytes: int | None = None,
) -> StoredFile:
    """Validate and save an upload; nothing is written if any check fails."""
    name = check_filename(upload.filename)
    limit = max_bytes or int(current_app.config["MAX_UPLOAD_BYTES"])
    data = read_limited(upload.stream, limit)
    kind = detect_kind(data)
    labels = ", ".join(KINDS[k].label for k in allowed)
    if kind is None or kind not in allowed:
        raise ValidationError(
            _(
                "This file is not an accepted type (%(kinds)s); its content was checked,"
                " not only its name.",
                kinds=labels,
            ),
            fields={"file": "type"},
        )
    if not name.lower().endswith(KINDS[kind].extensions):
        raise ValidationError(
            _("The file's name does not match its content (%(kind)s).", kind=KINDS[kind].label),
            fields={"file": "extension"},
        )
    stored_name = secrets.token_hex(24)
    path = upload_dir() / stored_name
    path.write_bytes(data)
    session.info.setdefault("uploads_written", []).append(path)
    stored = StoredFile(
        stored_name=stored_name,
        original_name=name,
        kind=kind,
        content_type=KINDS[kind].mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=uploaded_by_id,
    )
    session.add(stored)
    session.flush()
    return stored


# A file written in a transaction that rolls back is removed, so no orphan stays on disk.


@event.listens_for(Session, "after_commit")
def _keep_files(session: Session) -> None:
    session.info.pop("uploads_written", None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_files(session: Session, _previous: object) -> None:
    for path in session.info.pop("uploads_written", []):
        Path(path).unlink(missing_ok=True)
