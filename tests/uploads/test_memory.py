"""The memory probe of the upload fuzzing can fail, and the file store's image decoding stays
small for large photos (a JPEG is decoded at a fraction of its size; Pillow's own guard is set)."""

from __future__ import annotations

import io
import zlib

from PIL import Image

from tenants.files import images
from tenants.files.purposes import JPEG, MB, FilePurpose
from tests.uploads import probe

BOUND = 64 * MB


def test_the_probe_sees_an_expansion_in_python_and_in_c():
    bomb = zlib.compress(b"\0" * (200 * MB))
    with probe.measured() as cost:
        expanded = zlib.decompress(bomb)
        del expanded
    assert cost.traced_peak > 150 * MB
    assert cost.rss_growth > 150 * MB
    with probe.measured() as cost:
        Image.new("RGBA", (8000, 8000)).close()  # 256 MB of pixels, outside Python's allocator
    assert cost.rss_growth > 150 * MB and cost.traced_peak < 10 * MB


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size():
    out = io.BytesIO()
    Image.new("RGB", (8000, 6000), (90, 120, 30)).save(out, format="JPEG", quality=50)
    data = out.getvalue()  # 48 megapixels: 144 MB of pixels decoded whole
    purpose = FilePurpose(
        "uploads.test", kinds=frozenset({"jpeg"}), max_bytes=10 * MB, max_side=2000
    )
    with probe.measured() as cost:
        cleaned = images.clean_image(data, JPEG, purpose)
    assert cost.rss_growth < BOUND, cost
    with Image.open(io.BytesIO(cleaned)) as result:
        assert max(result.size) == 2000


def test_pillow_refuses_bombs_before_decoding_everywhere():
    assert Image.MAX_IMAGE_PIXELS == 64_000_000
