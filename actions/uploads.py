"""Supporting documents: checked by size and by content (magic bytes), not by the name the browser sent."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension -> (accepted leading bytes, content type stored)
ALLOWED = {
    "pdf": ((b"%PDF-",), "application/pdf"),
    "png": ((b"\x89PNG\r\n\x1a\n",), "image/png"),
    "jpg": ((b"\xff\xd8\xff",), "image/jpeg"),
    "jpeg": ((b"\xff\xd8\xff",), "image/jpeg"),
    "docx": ((ZIP,), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ((ZIP,), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ((ZIP,), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "odt": ((ZIP,), "application/vnd.oasis.opendocument.text"),
    "ods": ((ZIP,), "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ((ZIP,), "application/vnd.oasis.opendocument.presentation"),
    "doc": ((OLE,), "application/msword"),
    "xls": ((OLE,), "application/vnd.ms-excel"),
    "ppt": ((OLE,), "application/vnd.ms-powerpoint"),
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)


def check_upload(upload):
    """Return the content type of a valid upload, or raise ValidationError with a French message."""
    max_size = settings.PTI_MAX_UPLOAD_SIZE
    if upload.size > max_size:
        raise ValidationError(
            _("Le fichier est trop volumineux (%(size)s) : la taille maximale est de %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_size)}
        )
    if upload.size == 0:
        raise ValidationError(_("Le fichier est vide."))
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ALLOWED:
        raise ValidationError(
            _("Type de fichier non accepté. Formats acceptés : PDF, images (PNG, JPEG), documents bureautiques.")
        )
    signatures, content_type = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("Le contenu du fichier ne correspond pas à son extension « .%(ext)s ».") % {"ext": extension}
        )
    return content_type
