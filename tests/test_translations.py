"""The Russian catalogue is complete: every string of the UI has a reviewed translation."""

from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "locale/ru/LC_MESSAGES/django.po"


def test_russian_catalogue_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(PO))
    bad = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not bad, f"translate these in {PO.name}: {bad[:20]}"
