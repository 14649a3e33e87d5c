"""The month's PDF renderer on its own (no database): receipts laid out a few per document in
worker processes and merged in their order, every QR code still readable."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader

from tenants.ledger.receipts import batch, qr
from tests.tenants.ledger.receipts import sample
from tests.tenants.ledger.receipts.tools import decode_qr_codes


def receipts(count: int):
    return [
        dataclasses.replace(sample.receipt(), account_number=f"{number:06d}")
        for number in range(1, count + 1)
    ]


def test_documents_are_groups_in_order():
    groups = list(batch.documents(range(7), size=3))
    assert groups == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batch.documents([], size=3)) == []


@pytest.mark.parametrize("processes", [1, 2])
def test_write_pdf_merges_every_receipt_in_order(processes, monkeypatch):
    monkeypatch.setattr(batch, "PER_DOCUMENT", 2)  # five receipts: three documents
    done = []
    out = io.BytesIO()
    pages = batch.write_pdf(
        batch.documents(receipts(5)), out, processes=processes, progress=done.append
    )
    assert pages == 5
    assert done == [2, 4, 5]
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 5
    for number, page in enumerate(reader.pages, start=1):
        assert f"{number:06d}" in page.extract_text()


def test_a_batch_pages_qr_codes_read_back():
    out = io.BytesIO()
    batch.write_pdf(batch.documents(receipts(3), size=3), out, processes=1)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    from pypdf import PdfWriter

    third = PdfWriter()
    third.add_page(reader.pages[2])
    one = io.BytesIO()
    third.write(one)
    codes = [qr.parse(code) for code in decode_qr_codes(one.getvalue())]
    assert len(codes) == 2
    assert {code["PersAcc"] for code in codes} == {"000003"}
