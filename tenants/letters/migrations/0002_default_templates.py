"""The application templates every association starts with (the board edits or withdraws them):
membership, consent to processing personal data, meter replacement, access, a free form.

Plain rows of the association's own configuration (no personal data), so the provisioning
template schema may carry them (``associations.schemas.refuse_association_rows``)."""

from django.db import migrations


def _field(n, label, kind="text", required=True, help=""):
    return {"name": f"f{n}", "label": label, "kind": kind, "required": required, "help": help}


DEFAULTS = [
    {
        "code": "membership",
        "title": "Заявление о вступлении в члены товарищества",
        "description": "Членство возникает с момента подачи заявления собственником "
        "(ЖК РФ ст. 143 ч. 1; для СНТ — 217-ФЗ ст. 12).",
        "preamble": "Прошу принять меня в члены товарищества. С уставом ознакомлен(а).",
        "fields": [
            _field(1, "Фамилия, имя, отчество"),
            _field(2, "Адрес места жительства и почтовый адрес"),
            _field(3, "Адрес электронной почты"),
            _field(4, "Телефон"),
            _field(5, "Документ о праве собственности (вид, номер, дата)", required=False),
            _field(6, "С уставом товарищества ознакомлен(а)", "checkbox"),
        ],
        "position": 10,
    },
    {
        "code": "pd-consent",
        "title": "Согласие на обработку персональных данных",
        "description": "Согласие по 152-ФЗ ст. 9 для целей, которые закон не покрывает сам "
        "(например, рассылки и портал).",
        "preamble": "Даю согласие товариществу на обработку моих персональных данных "
        "(ФИО, адрес помещения, телефон, адрес электронной почты) для ведения реестра, "
        "расчётов и информирования через портал. Согласие действует до его отзыва.",
        "fields": [
            _field(1, "Фамилия, имя, отчество"),
            _field(2, "Паспорт: серия, номер, кем и когда выдан"),
            _field(3, "Цели обработки, на которые даётся согласие", "long_text", required=False),
            _field(4, "Подтверждаю согласие", "checkbox"),
        ],
        "position": 20,
    },
    {
        "code": "meter-replacement",
        "title": "Заявление о замене прибора учёта",
        "description": "Об опломбировании и вводе в эксплуатацию нового счётчика "
        "(Правила 354 п. 81).",
        "preamble": "Прошу принять в эксплуатацию новый прибор учёта, установленный взамен "
        "прежнего.",
        "fields": [
            _field(1, "Вид ресурса (ХВС, ГВС, электроэнергия, газ, тепло)"),
            _field(2, "Заводской номер прежнего прибора", required=False),
            _field(3, "Показания прежнего прибора при снятии", required=False),
            _field(4, "Заводской номер нового прибора"),
            _field(5, "Начальные показания нового прибора"),
            _field(6, "Дата установки", "date"),
            _field(7, "Дата поверки нового прибора", "date", required=False),
            _field(8, "Удобное время для опломбирования", required=False),
        ],
        "position": 30,
    },
    {
        "code": "access",
        "title": "Заявление на доступ (пропуск, ключи, въезд)",
        "description": "Пропуск, электронный ключ, доступ в подвал, на крышу или въезд на "
        "территорию.",
        "preamble": "Прошу предоставить доступ.",
        "fields": [
            _field(1, "Куда нужен доступ"),
            _field(2, "Для кого (ФИО, при необходимости — номер автомобиля)"),
            _field(3, "На какой срок", required=False),
            _field(4, "Причина", "long_text", required=False),
        ],
        "position": 40,
    },
    {
        "code": "free-form",
        "title": "Заявление в свободной форме",
        "description": "Любая просьба к правлению, для которой нет отдельного бланка.",
        "preamble": "",
        "fields": [
            _field(1, "О чём заявление"),
            _field(2, "Текст заявления", "long_text"),
        ],
        "position": 90,
    },
]


def add_defaults(apps, schema_editor):
    ApplicationTemplate = apps.get_model("letters", "ApplicationTemplate")
    for row in DEFAULTS:
        ApplicationTemplate.objects.get_or_create(
            code=row["code"],
            defaults={key: value for key, value in row.items() if key != "code"},
        )


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
