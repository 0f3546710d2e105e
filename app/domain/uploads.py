"""Attachments: checked by content (not by name), size- and pixel-capped, stored outside static under server names.

Files follow their database rows: a file written by a request is removed again when that request's transaction
does not commit (a form error, a lost race, an exception), and a removed attachment's file is deleted only once
the deletion is committed. The bookkeeping hangs on the session (``session.info``) and its transaction events.
"""
from __future__ import annotations

import contextlib
import io
import os
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..models import Attachment, Initiative, User

MAX_FILES_PER_INITIATIVE = 10
THUMBNAIL_SIZE = (320, 320)


@dataclass
class Kind:
    extension: str
    content_type: str
    is_image: bool = False
    aliases: tuple[str, ...] = ()  # other extensions people use for the same type


JPEG = Kind("jpg", "image/jpeg", True, ("jpeg",))
PNG = Kind("png", "image/png", True)
PDF = Kind("pdf", "application/pdf")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
KINDS = {kind.content_type: kind for kind in (JPEG, PNG, PDF, DOCX)}


class UploadRejected(Exception):
    pass


def _too_many_pixels(name: str) -> UploadRejected:
    limit = current_app.config["MAX_IMAGE_PIXELS"]
    return UploadRejected(_("Ảnh “%(name)s” quá nhiều điểm ảnh: tối đa %(mp)s triệu điểm ảnh. "
                            "Hãy chụp lại hoặc thu nhỏ ảnh rồi gửi lại.", name=name, mp=f"{limit / 1e6:g}"))


def detect(data: bytes, name: str = "") -> Kind | None:
    """What the bytes really are, whatever the file is called; raises UploadRejected for an image bomb.

    Only the image header is read here: the pixel count is checked before anything is decoded.
    """
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    width, height = image.size
                    if width * height > current_app.config["MAX_IMAGE_PIXELS"]:
                        raise _too_many_pixels(name)
                    image.verify()  # checksums and structure: a corrupt or cut-off PNG stops here
                    return JPEG if image.format == "JPEG" else PNG if image.format == "PNG" else None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def named_as(name: str, kind: Kind) -> str:
    """The user's base name with the extension of what the file really is: "x.html" holding a PDF is "x.pdf"."""
    stem, extension = os.path.splitext(name)
    if extension[1:].lower() in (kind.extension, *kind.aliases):
        return name
    return f"{stem.lstrip('.') or 'tep'}.{kind.extension}"  # ".html" is a name, not a hidden file


def download_name(attachment: Attachment) -> str:
    kind = KINDS.get(attachment.content_type)
    return named_as(attachment.original_name, kind) if kind else attachment.original_name


def upload_dir() -> str:
    path = current_app.config["UPLOAD_DIR"]
    os.makedirs(path, exist_ok=True)
    return path


def path_of(stored_name: str) -> str:
    return os.path.join(upload_dir(), stored_name)


def thumbnail_name(attachment: Attachment) -> str:
    return attachment.stored_name + ".thumb.jpg"


def store(upload: FileStorage, initiative: Initiative, user: User) -> Attachment:
    """Save one upload; raises UploadRejected with a message for the form."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    name = os.path.basename((upload.filename or "").replace("\\", "/"))[:200] or "tep"
    data = upload.stream.read(limit + 1)
    if not data:
        raise UploadRejected(_("Tệp “%(name)s” rỗng.", name=name))
    if len(data) > limit:
        raise UploadRejected(_("Tệp “%(name)s” quá lớn: tối đa %(mb)s MB.", name=name,
                               mb=f"{limit / 1024 / 1024:g}"))
    kind = detect(data, name)
    if kind is None:
        raise UploadRejected(_("Tệp “%(name)s” không phải ảnh JPG/PNG, PDF hay DOCX thật.", name=name))
    if len(initiative.attachments) >= MAX_FILES_PER_INITIATIVE:
        raise UploadRejected(_("Mỗi sáng kiến có tối đa %(n)s tệp đính kèm.", n=MAX_FILES_PER_INITIATIVE))
    thumbnail = _thumbnail(data, name) if kind.is_image else None
    stored = f"{uuid.uuid4().hex}.{kind.extension}"
    _write(stored, data)
    if thumbnail is not None:
        _write(stored + ".thumb.jpg", thumbnail)
    attachment = Attachment(initiative=initiative, original_name=named_as(name, kind), stored_name=stored,
                            content_type=kind.content_type, size=len(data), uploaded_by_id=user.id,
                            has_thumbnail=thumbnail is not None)
    db.session.add(attachment)
    return attachment


def _thumbnail(data: bytes, name: str) -> bytes | None:
    """A small JPEG preview. Raises UploadRejected when the image cannot be decoded (cut off, corrupt).

    ``thumbnail`` asks the JPEG decoder for a reduced scale (``draft``: 1/2 to 1/8, never the full image) and
    shrinks the rest with ``reduce``; the colour conversion happens on the small image.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            try:
                image.thumbnail(THUMBNAIL_SIZE, reducing_gap=2.0)
            except (OSError, ValueError, SyntaxError):
                raise UploadRejected(_("Ảnh “%(name)s” bị hỏng hoặc không đầy đủ: hãy gửi lại ảnh gốc.",
                                       name=name)) from None
            try:
                buffer = io.BytesIO()
                image.convert("RGB").save(buffer, "JPEG", quality=70, optimize=True)
                return buffer.getvalue()
            except (OSError, ValueError):  # an unusual colour mode: the file is fine, it just has no preview
                return None
    except (UnidentifiedImageError, OSError):  # detect() opened it a moment ago: not expected
        return None


def remove(attachment: Attachment) -> None:
    """Delete the row now; its files go once the deletion is committed."""
    names = [attachment.stored_name, thumbnail_name(attachment)]
    _record(db.session(), "uploads_to_delete", names)
    db.session.delete(attachment)


# --- files follow the transaction ---------------------------------------------------------------------------
# Each file name is recorded with the (innermost) transaction that wrote or removed it: a savepoint rolled back
# settles its own names, the end of the whole transaction settles the rest.

_Pending = list[tuple[SessionTransaction | None, str]]


def _record(session: Session, key: str, names: list[str]) -> None:
    if not session.in_transaction():
        session.begin()  # so that the transaction's end, commit or not, settles the files
    transaction = session.get_nested_transaction() or session.get_transaction()
    pending: _Pending = session.info.setdefault(key, [])
    pending.extend((transaction, name) for name in names)


def _take(session: Session, key: str, within: SessionTransaction | None = None) -> list[str]:
    """Forget the names recorded under ``key`` (only those of ``within`` and the savepoints inside it)."""
    kept: _Pending = []
    taken: list[str] = []
    for transaction, name in session.info.get(key, []):
        if within is None or _inside(transaction, within):
            taken.append(name)
        else:
            kept.append((transaction, name))
    session.info[key] = kept
    return taken


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _write(stored_name: str, data: bytes) -> None:
    _record(db.session(), "uploads_written", [stored_name])
    with open(path_of(stored_name), "wb") as handle:
        handle.write(data)


def _delete_files(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path_of(name))


@event.listens_for(db.session, "after_commit")
def _keep_written_delete_removed(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released (SQLAlchemy reports it as a commit): the transaction around it decides
    _take(session, "uploads_written")
    _delete_files(_take(session, "uploads_to_delete"))


@event.listens_for(db.session, "after_soft_rollback")
def _undo_savepoint(session: Session, previous_transaction: SessionTransaction) -> None:
    """A savepoint rolled back: its files written go, its removals are off (the rows are back)."""
    if previous_transaction.nested:
        _take(session, "uploads_to_delete", within=previous_transaction)
        _delete_files(_take(session, "uploads_written", within=previous_transaction))


@event.listens_for(db.session, "after_transaction_end")
def _undo_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """Rollback, or a session closed after an error without committing: the files written go, removals are off."""
    if transaction.parent is not None or transaction.nested:
        return
    _take(session, "uploads_to_delete")
    _delete_files(_take(session, "uploads_written"))
