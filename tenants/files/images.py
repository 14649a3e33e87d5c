"""Images are decoded, checked and encoded again before they are stored.

Re-encoding keeps only the pixels: EXIF (camera, time and GPS location), XMP, comments, ICC
profiles and anything appended after the image are left behind, and a file that only looks
like an image (a polyglot, a truncated or malformed one, a decompression bomb) is refused. The
EXIF orientation is applied to the pixels first, so a phone photo keeps its way up.
"""

from __future__ import annotations

import io
import math
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from tenants.files.purposes import FileKind, FilePurpose

#: Pillow's own guard, for every image the portal opens (this module is imported by the file
#: store at start-up): it warns past this many pixels and refuses past twice as many, before
#: decoding. A purpose's ``max_pixels`` (at most 60 million) is checked first, so this only
#: tightens Pillow's default of ~89 million for code that opens images some other way.
Image.MAX_IMAGE_PIXELS = 64_000_000

_SAVE_OPTIONS = {
    "PNG": {"optimize": True},
    "JPEG": {"quality": 88, "optimize": True},
    "WEBP": {"quality": 88, "method": 4},
}
_MODES = {
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"},
    "JPEG": {"L", "RGB"},
    "WEBP": {"RGB", "RGBA"},
}


def _unreadable() -> ValidationError:
    return ValidationError(
        _("This image cannot be read. Save it again as PNG, JPEG or WebP and upload it."),
        code="image_invalid",
    )


def clean_image(data: bytes, kind: FileKind, purpose: FilePurpose) -> bytes:
    """The image's pixels encoded afresh in its own format, without metadata."""
    # WeasyPrint (imported lazily by the PDFs) turns Pillow's LOAD_TRUNCATED_IMAGES on for the
    # whole process when it is first imported; a photo cut short must stay refused here, so the
    # flag is put back before every decode (our PDFs embed only images the portal made).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != kind.image_format:
                    raise _unreadable()
                width, height = probe.size
                if width * height > purpose.max_pixels:
                    raise ValidationError(
                        _("This image is too large: at most %(count)d megapixels.")
                        % {"count": purpose.max_pixels // 1_000_000},
                        code="image_too_large",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                return _encoded(image, kind, purpose)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        EOFError,
    ):
        raise _unreadable() from None


def _encoded(image: Image.Image, kind: FileKind, purpose: FilePurpose) -> bytes:
    """The opened image's pixels, decoded once, turned upright, scaled down to the longest
    side kept and encoded afresh (no second full-size copy along the way)."""
    if kind.image_format == "JPEG":
        # A JPEG is decoded at 1/2, 1/4 or 1/8 of its size when that still covers the longest
        # side kept: a 48-megapixel photo never becomes 144 MB of pixels.
        width, height = image.size
        ratio = min(1.0, purpose.max_side / max(width, height, 1))
        image.draft(image.mode, (math.ceil(width * ratio), math.ceil(height * ratio)))
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    clean = image
    if max(clean.size) > purpose.max_side:
        clean.thumbnail((purpose.max_side, purpose.max_side), Image.Resampling.LANCZOS)
    fmt = kind.image_format
    if clean.mode not in _MODES[fmt]:
        has_alpha = clean.mode in ("RGBA", "LA", "PA") or "transparency" in clean.info
        clean = clean.convert("RGBA" if has_alpha and fmt != "JPEG" else "RGB")
    # Nothing of the original's metadata rides along: a fresh info, no exif/icc arguments.
    clean.info = {}
    out = io.BytesIO()
    clean.save(out, format=fmt, **_SAVE_OPTIONS[fmt])
    return out.getvalue()
