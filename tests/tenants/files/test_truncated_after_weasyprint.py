"""A truncated photo stays refused after WeasyPrint has been imported in the process: WeasyPrint
sets Pillow's ``LOAD_TRUNCATED_IMAGES`` on import (found when the upload fuzzing ran after a PDF
test on the same worker)."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from tenants.files.images import clean_image
from tenants.files.purposes import MB, FilePurpose, kind_of


def _truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def test_a_truncated_jpeg_is_refused_even_after_weasyprint_is_imported():
    import weasyprint  # noqa: F401  (sets the flag on first import)

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint leaves it, whatever the import order
    photo = FilePurpose("tests.photo", kinds=frozenset({"jpeg"}), max_bytes=MB)
    data = _truncated_jpeg()
    with pytest.raises(ValidationError) as refused:
        clean_image(data, kind_of(data), photo)
    assert refused.value.code == "image_invalid"
