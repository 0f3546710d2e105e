"""Attachments: checked by content (not by name), size-capped, stored outside static under server names."""
from __future__ import annotations

import io
import os
import uuid
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
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


JPEG = Kind("jpg", "image/jpeg", True)
PNG = Kind("png", "image/png", True)
PDF = Kind("pdf", "application/pdf")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


class UploadRejected(Exception):
    pass


def detect(data: bytes) -> Kind | None:
    """What the bytes really are, whatever the file is called."""
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                return JPEG if image.format == "JPEG" else PNG if image.format == "PNG" else None
        except (UnidentifiedImageError, OSError, SyntaxError):
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
    kind = detect(data)
    if kind is None:
        raise UploadRejected(_("Tệp “%(name)s” không phải ảnh JPG/PNG, PDF hay DOCX thật.", name=name))
    if len(initiative.attachments) >= MAX_FILES_PER_INITIATIVE:
        raise UploadRejected(_("Mỗi sáng kiến có tối đa %(n)s tệp đính kèm.", n=MAX_FILES_PER_INITIATIVE))
    stored = f"{uuid.uuid4().hex}.{kind.extension}"
    with open(path_of(stored), "wb") as handle:
        handle.write(data)
    attachment = Attachment(initiative=initiative, original_name=name, stored_name=stored,
                            content_type=kind.content_type, size=len(data), uploaded_by_id=user.id)
    if kind.is_image:
        attachment.has_thumbnail = _make_thumbnail(data, path_of(stored + ".thumb.jpg"))
    db.session.add(attachment)
    return attachment


def _make_thumbnail(data: bytes, target: str) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGB")
            image.thumbnail(THUMBNAIL_SIZE)
            image.save(target, "JPEG", quality=70, optimize=True)
        return True
    except (OSError, ValueError):
        return False


def remove(attachment: Attachment) -> None:
    for name in (attachment.stored_name, thumbnail_name(attachment)):
        try:
            os.remove(path_of(name))
        except FileNotFoundError:
            pass
    db.session.delete(attachment)
