"""The demo association's documents and news: the charter (two versions), last year's annual
report, the minutes of the annual general meeting, the estimate, a news item and an emergency
notice that has ended (a water outage last month).

Made once (skipped when any document exists), through the services as the chairman, except the
ended notice: it is history, written directly so that nobody is emailed about a past outage.
The PDFs are rendered here (WeasyPrint), a page or two each.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from core.access.roles import Role
from tenants.documents.models import Document, News, NewsKind
from tenants.documents.sections import ReaderGroup, Section


def _pdf(title: str, paragraphs: list[str]) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        '<html lang="ru"><head><meta charset="utf-8"><style>'
        "@page { size: A4; margin: 20mm; } "
        'body { font-family: "DejaVu Sans", sans-serif; font-size: 11pt; } '
        "h1 { font-size: 15pt; text-align: center; }"
        f"</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTML(string=html, base_url=None).write_pdf()


def _upload(name: str, title: str, paragraphs: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _pdf(title, paragraphs), content_type="application/pdf")


def seed_demo() -> str:
    from tenants.documents import services

    if Document.objects.exists():
        return ""
    chairman = (
        get_user_model().objects.filter(roles__contains=[Role.CHAIRMAN], is_active=True).first()
    )
    if chairman is None:
        return ""
    year = timezone.localdate().year - 1
    charter = services.publish_document(
        actor=chairman,
        section=Section.CHARTER,
        title="Устав ТСЖ «Демо»",
        readers=ReaderGroup.EVERYONE,
        dated=datetime.date(year - 3, 4, 20),
        description="Утверждён общим собранием собственников помещений.",
        upload=_upload(
            "ustav.pdf",
            "Устав товарищества собственников жилья «Демо»",
            [
                "1. Общие положения. Товарищество собственников жилья «Демо» создано "
                "собственниками помещений в многоквартирных домах для совместного управления "
                "общим имуществом (ЖК РФ ст. 135).",
                "2. Членство в товариществе возникает на основании заявления о вступлении "
                "(ЖК РФ ст. 143).",
                "3. Органы управления: общее собрание членов товарищества, правление, "
                "председатель правления; контроль — ревизионная комиссия.",
            ],
        ),
    )
    services.add_version(
        actor=chairman,
        document=charter,
        note="Новая редакция: электронное голосование на портале.",
        upload=_upload(
            "ustav-2.pdf",
            "Устав товарищества собственников жилья «Демо» (новая редакция)",
            [
                "1. Общие положения. Товарищество собственников жилья «Демо» создано "
                "собственниками помещений в многоквартирных домах для совместного управления "
                "общим имуществом (ЖК РФ ст. 135).",
                "2. Членство в товариществе возникает на основании заявления о вступлении "
                "(ЖК РФ ст. 143).",
                "3. Органы управления: общее собрание членов товарищества, правление, "
                "председатель правления; контроль — ревизионная комиссия.",
                "4. Общее собрание членов товарищества может проводиться в форме заочного "
                "голосования с использованием портала товарищества.",
            ],
        ),
    )
    services.publish_document(
        actor=chairman,
        section=Section.ANNUAL_REPORT,
        title=f"Годовой отчёт правления за {year} год",
        readers=ReaderGroup.OWNERS,
        dated=datetime.date(year + 1, 3, 15),
        upload=_upload(
            f"otchet-{year}.pdf",
            f"Отчёт правления ТСЖ «Демо» за {year} год",
            [
                "Выполнены работы: замена стояков холодного водоснабжения в доме 1, ремонт "
                "кровли над подъездом 2 в доме 2, поверка общедомовых приборов учёта тепла.",
                "Собираемость взносов за год составила 94 %.",
                "Смета доходов и расходов исполнена; отклонения по статьям пояснены в отчёте "
                "об исполнении сметы.",
            ],
        ),
    )
    services.publish_document(
        actor=chairman,
        section=Section.GENERAL_MEETING,
        title=f"Протокол годового общего собрания членов ТСЖ № 1/{year + 1}",
        readers=ReaderGroup.OWNERS,
        dated=datetime.date(year + 1, 4, 10),
        upload=_upload(
            f"protokol-1-{year + 1}.pdf",
            f"Протокол № 1/{year + 1} общего собрания членов ТСЖ «Демо»",
            [
                "Форма проведения: очно-заочное голосование. Кворум имеется.",
                "Повестка дня: 1) утверждение отчёта правления; 2) утверждение сметы доходов и "
                f"расходов на {year + 1} год; 3) избрание ревизионной комиссии.",
                "Решения по всем вопросам приняты большинством голосов.",
            ],
        ),
    )
    services.publish_document(
        actor=chairman,
        section=Section.ESTIMATE,
        title=f"Смета доходов и расходов на {year + 1} год",
        readers=ReaderGroup.OWNERS,
        dated=datetime.date(year + 1, 4, 10),
        upload=_upload(
            f"smeta-{year + 1}.pdf",
            f"Смета доходов и расходов ТСЖ «Демо» на {year + 1} год",
            [
                "Доходы: взносы на содержание и ремонт общего имущества.",
                "Расходы: уборка, обслуживание лифтов, текущий ремонт, вознаграждение "
                "правления, банковское обслуживание.",
            ],
        ),
    )
    services.publish_news(
        actor=chairman,
        kind=NewsKind.NEWS,
        title="Весенний субботник во дворе",
        body="Приглашаем всех жителей на субботник в субботу в 10:00. Инвентарь выдадим, "
        "после уборки — чай во дворе дома 2.",
    )
    now = timezone.now()
    News.objects.create(
        kind=NewsKind.EMERGENCY,
        title="Отключение холодной воды в доме 1",
        body="Аварийная бригада заменяет участок трубопровода в подвале дома 1.",
        starts_at=now - datetime.timedelta(days=30, hours=4),
        ends_at=now - datetime.timedelta(days=30),
        published_at=now - datetime.timedelta(days=30, hours=5),
        updated_at=now - datetime.timedelta(days=30),
        created_by=chairman,
    )
    return "Demo documents (charter in two versions, annual report, protocol, estimate) and news"
