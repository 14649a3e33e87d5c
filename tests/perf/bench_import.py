"""Import of 10,000 premises with owners from an .xlsx file: seconds and peak memory.

The file is made here (openpyxl, like a workbook saved by Excel): 5 buildings of 2,000 flats,
each flat with a personal account and an owner with name, email, phone, share, title document
and membership; every 10th flat has two co-owners (1/2 each), every 100th belongs to an
organisation - 10,900 rows. ``import_run.py`` then, in a Django process against the benchmark
database, makes the preview (read, check, compare, store encrypted) and runs the confirmed import
(the Celery task's body: 10,000 holdings, each with its own provider key) into a new, empty
association; and does the same again in a second association with the keys made ahead, as the
preview's background task makes them while the board reads the preview.

Figures: the whole import confirmed at once, preview + import (target < 15 s); the process's peak
resident memory during it (target < 500 MB; Django itself takes ~90 MB); the parts; the key
making; the import confirmed after the review. Idempotency (the same file again changes
nothing) is tested in tests/tenants/imports.
"""

from __future__ import annotations

import datetime
import json
import sys

from tests.perf.environment import BenchError, last_json, script
from tests.perf.registry import Figure, benchmark

PREMISES = 10_000
PER_BUILDING = 2_000
ORGANISATION_INN = "7707083893"

HEADERS = [
    "Дом",
    "Вид помещения",
    "Номер помещения",
    "Этаж",
    "Подъезд",
    "Площадь, м²",
    "Кадастровый номер",
    "Зарегистрировано",
    "Лицевой счёт",
    "Собственник",
    "ИНН",
    "ОГРН",
    "Доля",
    "Документ",
    "Номер документа",
    "Дата документа",
    "Запись ЕГРН",
    "Email",
    "Телефон",
    "Член товарищества",
    "Член с",
]


def _rows():
    since = datetime.datetime(2021, 6, 1)
    for n in range(PREMISES):
        building, number = f"Корпус {n // PER_BUILDING + 1}", str(n % PER_BUILDING + 1)
        flat = [
            building,
            "квартира",
            number,
            n % PER_BUILDING // 80 + 1,
            str(n % 4 + 1),
            f"{30 + n % 70},{n % 100:02d}",
            f"77:01:{n // PER_BUILDING:07d}:{n % PER_BUILDING + 1}",
            n % 5,
            f"{700000 + n}",
        ]
        document = ["выписка из ЕГРН", f"77-77/011/{n}", datetime.datetime(2015 + n % 8, 3, 15)]
        egrn = f"77:01:{n // PER_BUILDING:07d}:{n % PER_BUILDING + 1}-77/011/2020-1"
        if n % 100 == 0:
            owners = [(f"ООО «Арендатор {n}»", ORGANISATION_INN, "1", "", "", "нет", None)]
        elif n % 10 == 0:
            owners = [
                (f"Петрова Анна Сергеевна {n}", "", "1/2", f"a{n}@example.test", "", "да", since),
                (f"Петров Иван Павлович {n}", "", "1/2", f"b{n}@example.test", "", "нет", None),
            ]
        else:
            phone = f"+7 912 {n // 10000:03d}-{n // 100 % 100:02d}-{n % 100:02d}"
            member = "да" if n % 3 else "нет"
            owners = [
                (
                    f"Иванова Мария Петровна {n}",
                    "",
                    "1",
                    f"owner{n}@example.test",
                    phone,
                    member,
                    since if member == "да" else None,
                )
            ]
        for name, inn, share, email, phone, member, member_since in owners:
            yield [
                *flat,
                name,
                inn,
                "",
                share,
                *document,
                egrn,
                email,
                phone,
                member,
                member_since,
            ]


def write_workbook(path) -> int:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Реестр"
    sheet.append(HEADERS)
    count = 0
    for row in _rows():
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


@benchmark("import", order=60)
def import_bench(env):
    path = env.work_dir / "registry-10000.xlsx"
    rows = write_workbook(path)
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"# import file: {rows} rows, {size_mb:.1f} MB", file=sys.stderr)
    env.ensure_database()
    output = env.run_python(
        script("import_run.py"), str(path), failure="import benchmark failed", timeout=180
    )
    data = last_json(output)
    first, reviewed = data["first"], data["reviewed"]
    for run in (first, reviewed):
        if run["result"]["premises_created"] != PREMISES or run["new"] != rows:
            raise BenchError(f"the import did not do what it should: {json.dumps(data)[:2000]}")
    print(
        f"# confirmed at once: preview {first['preview_s']:.1f} s + import "
        f"{first['apply_s']:.1f} s (of which waiting for 10,000 holding keys, made alongside: "
        f"{first['result'].get('key_seconds', 0):.1f} s of key making); memory "
        f"{data['baseline_mb']:.0f} MB before, peak {data['peak_mb']:.0f} MB",
        file=sys.stderr,
    )
    print(
        f"# confirmed after review: keys made in {reviewed['prepare_s']:.1f} s while the board "
        f"reads the preview, then the import takes {reviewed['apply_s']:.1f} s",
        file=sys.stderr,
    )
    yield Figure("import_10000_premises_seconds", first["total_s"], "s", "<", 15)
    yield Figure("import_10000_premises_peak_memory", data["peak_mb"], "MB", "<", 500, digits=0)
    yield Figure("import_10000_premises_preview_seconds", first["preview_s"], "s")
    yield Figure("import_10000_premises_confirmed_seconds", first["apply_s"], "s")
    yield Figure("import_10000_premises_key_making_seconds", reviewed["prepare_s"], "s")
    yield Figure("import_10000_premises_after_review_seconds", reviewed["apply_s"], "s")
