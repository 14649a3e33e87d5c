"""Hostile files for the upload fuzzing, made in memory (each once per test session).

Bombs are built without ever holding their expanded contents: deflate output made with a full
flush does not refer back past the flush, so one compressed block of a megabyte of zeros,
repeated, is a valid stream of as many megabytes; PNG rows are compressed the same way.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

MB = 1024 * 1024
#: What every archive bomb expands to (declared in its directory, and truly when inflated).
BOMB_BYTES = 1024 * MB

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    b"</Types>"
)


@dataclass(frozen=True)
class Payload:
    """One hostile file: its bytes, the name and type the browser declares, and the file kinds
    (``tenants.files.purposes``) an endpoint must accept for it to be a fair file there (empty:
    it is refused everywhere)."""

    key: str
    name: str
    content_type: str
    make: object
    #: The payload is sent only where none of these kinds is accepted (a PDF named .jpg is a
    #: fair PDF where PDFs are welcome).
    unless_accepted: frozenset[str] = frozenset()
    #: How far the payload's contents expand (for the memory bound), 0 if not a bomb.
    expands_to: int = 0

    @functools.cached_property
    def data(self) -> bytes:
        return self.make()


# --- Building blocks -----------------------------------------------------------------------------


def _repeated_deflate(block: bytes, times: int) -> bytes:
    """A raw deflate stream of ``block * times`` (never held expanded)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    return one * times + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def _repeated_crc(block: bytes, times: int) -> int:
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    return crc


def zip_bytes(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A ZIP archive of ``(name, packed, method, crc, size)`` members (method 8: deflated)."""
    out = io.BytesIO()
    central = []
    for name, packed, method, crc, size in members:
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(packed),
                size,
                len(encoded),
                0,
            )  # fmt: skip
        )
        out.write(encoded + packed)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(packed),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )  # fmt: skip
            + encoded
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), start, 0
        )  # fmt: skip
    )
    return out.getvalue()


def _stored(name: str, data: bytes):
    return (name, data, 0, zlib.crc32(data), len(data))


@functools.cache
def _bomb_stream(expands_to: int) -> tuple[bytes, int]:
    block = b" " * MB
    times = expands_to // MB
    return _repeated_deflate(block, times), _repeated_crc(block, times)


def _bomb_member(name: str, expands_to: int = BOMB_BYTES):
    packed, crc = _bomb_stream(expands_to)
    return (name, packed, 8, crc, expands_to)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int, *, real_rows: bool) -> bytes:
    """An RGBA PNG of that size: its rows really there (zeros, packed a thousandfold) when
    ``real_rows``, else a header over a token of data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    if real_rows:
        rows_per_block = max(1, (4 * MB) // (1 + 4 * width))
        block = (b"\x00" + b"\x00" * 4 * width) * rows_per_block
        packer = zlib.compressobj(9)
        one = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
        full, rest = divmod(height, rows_per_block)
        tail = packer.compress((b"\x00" + b"\x00" * 4 * width) * rest) + packer.flush()
        idat = one * full + tail
    else:
        idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _noise_image(fmt: str, size=(400, 300)) -> bytes:
    image = Image.effect_noise(size, 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def good_jpeg() -> bytes:
    return _noise_image("JPEG", (64, 48))


def good_png() -> bytes:
    return _noise_image("PNG", (32, 32))


def _truncated(fmt: str) -> bytes:
    data = _noise_image(fmt)
    return data[: len(data) // 2]


def _jpeg_declaring_huge_size() -> bytes:
    """A real JPEG whose frame header claims 65,000 × 65,000 pixels."""
    data = bytearray(good_jpeg())
    at = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, at + 5, 65000, 65000)
    return bytes(data)


def _office(*members, workbook: bool = True) -> bytes:
    """An Office package: its content types, a workbook part (``workbook``), then ``members``."""
    skeleton = [_stored("[Content_Types].xml", CONTENT_TYPES_XML)]
    if workbook:
        skeleton.append(_stored("xl/workbook.xml", b"<workbook/>"))
    return zip_bytes(skeleton + list(members))


def _many_members(count: int = 20_000) -> bytes:
    return _office(*(_stored(f"xl/media/m{n}.xml", b"") for n in range(count)))


def _nested_zip(depth: int = 12) -> bytes:
    inner = zip_bytes([_bomb_member("inner.bin", 64 * MB)])
    for level in range(depth):
        inner = zip_bytes([_stored(f"level{level}.zip", inner)])
    return inner


def _lying_member() -> bytes:
    """A workbook whose sheet's directory entry says 1 KB while its data inflates to 1 GB."""
    name, packed, method, crc, _size = _bomb_member("xl/worksheets/sheet1.xml")
    return _office((name, packed, method, crc, 1024))


def oversized(limit: int) -> bytes:
    """A PNG signature and then zeros: ``limit`` and a half megabyte more."""
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * (limit + MB // 2)


def _svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


# --- The table -----------------------------------------------------------------------------------

#: How each payload presents itself: the file's name and the type the browser declares.
PHOTO_JPG = ("photo.jpg", "image/jpeg")
PLAN_PNG = ("plan.png", "image/png")
XLSX = ("registry.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = ("protocol.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _png_bomb(key: str, width: int, height: int, *, real_rows: bool) -> Payload:
    """A PNG declaring ``width`` × ``height`` RGBA pixels (see ``png_declaring``)."""
    return Payload(
        key,
        *PLAN_PNG,
        lambda: png_declaring(width, height, real_rows=real_rows),
        expands_to=4 * width * height,
    )


def _office_bomb(key: str, declared: tuple[str, str], main_part: str) -> Payload:
    """An Office package whose ``main_part`` inflates to ``BOMB_BYTES``."""
    return Payload(
        key,
        *declared,
        lambda: _office(_bomb_member(main_part), workbook=main_part.startswith("xl/")),
        expands_to=BOMB_BYTES,
    )


PAYLOADS = (
    Payload("empty", *PHOTO_JPG, lambda: b""),
    Payload("truncated_jpeg", *PHOTO_JPG, lambda: _truncated("JPEG")),
    Payload("truncated_png", "scan.png", "image/png", lambda: _truncated("PNG")),
    Payload("pdf_named_jpg", *PHOTO_JPG, lambda: PDF, unless_accepted=frozenset({"pdf"})),
    Payload("exe_named_jpg", *PHOTO_JPG, lambda: b"MZ\x90\x00" + b"\x00" * 4096),
    Payload("svg_named_png", "logo.png", "image/png", _svg),
    Payload("html_as_pdf", "act.pdf", "application/pdf", lambda: b"<html><body>x</body></html>"),
    _png_bomb("png_header_bomb", 100_000, 100_000, real_rows=False),
    _png_bomb("png_pixel_bomb", 10_000, 8_200, real_rows=True),
    Payload("jpeg_header_bomb", *PHOTO_JPG, _jpeg_declaring_huge_size, expands_to=3 * 65000**2),
    _office_bomb("xlsx_bomb", XLSX, "xl/worksheets/sheet1.xml"),
    _office_bomb("docx_bomb", DOCX, "word/document.xml"),
    Payload("xlsx_lying_sizes", *XLSX, _lying_member, expands_to=BOMB_BYTES),
    Payload("many_members", *XLSX, _many_members),
    Payload("nested_zip", "archive.zip", "application/zip", _nested_zip),
)
