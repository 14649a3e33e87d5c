"""One entry per URL that takes an uploaded file (``tests/uploads/test_guard.py`` finds them
from the views and fails for one without an entry here).

An entry names the URL, the role that may upload there, the form field, the file kinds the
endpoint accepts (``tenants.files.purposes`` keys; ``csv`` for text tables), the most bytes it
takes, the models whose rows a refused upload must leave as they were (``app_label.Model``;
stored files and audit entries are always counted), and ``prepare(ctx)``: run in ``alpha``'s
schema, it makes the uploader and what the URL names and returns a ``Setup`` (who posts, the
URL's kwargs, the form's other fields, and the valid file the control request sends, which must
be accepted so that the refusals are the file's).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from core.access.roles import Role
from tenants.files.purposes import IMAGES, MB, OFFICE
from tests.uploads import payloads

DOCUMENT_KINDS = frozenset({"pdf"}) | IMAGES | OFFICE
SCANS = IMAGES | {"pdf"}
TABLES = frozenset({"xlsx", "csv"})


@dataclass
class Setup:
    user: object
    kwargs: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    #: The control: a file the endpoint accepts, as (name, bytes, content type).
    good: tuple[str, bytes, str] = ("photo.png", b"", "image/png")
    #: The form field, when it depends on what was made (the meters' photo of one meter).
    field: str | None = None


@dataclass(frozen=True)
class UploadEndpoint:
    name: str
    role: str
    field: str
    kinds: frozenset[str]
    max_bytes: int
    models: tuple[str, ...]
    prepare: Callable[[object], Setup]
    api: bool = False
    #: Several files under the field (a mix of a good and a bad one is tried too).
    multiple: bool = False
    #: The most bytes the whole request may carry (several files), if more than ``max_bytes``:
    #: no more than this may ever be read from the body.
    request_bytes: int = 0
    #: The page refuses by sending the uploader back with an error message (302).
    refuses_with_redirect: bool = False

    @property
    def body_limit(self) -> int:
        return max(self.max_bytes, self.request_bytes)


def _user(*roles):
    from tests.factories import UserFactory

    return UserFactory(roles=list(roles))


def _png():
    return ("photo.png", payloads.good_png(), "image/png")


def _pdf():
    return ("act.pdf", payloads.PDF, "application/pdf")


# --- The uploaders and their objects ---------------------------------------------------------


def logo(ctx) -> Setup:
    return Setup(_user(Role.CHAIRMAN), good=_png())


REGISTRY_CSV = (
    "Дом;Вид помещения;Номер помещения;Площадь, м²;Лицевой счёт;Собственник;Доля\n"
    "Дом 1;квартира;1;54,30;100001;Иванова Мария Петровна;1\n"
).encode()


def registry_import(ctx) -> Setup:
    # Each file checked counts against the association's hourly previews, refused ones too.
    from django.conf import settings

    ctx.monkeypatch.setattr(settings, "IMPORT_PREVIEW_RATE", "1000/h", raising=False)
    return Setup(_user(Role.CHAIRMAN), good=("registry.csv", REGISTRY_CSV, "text/csv"))


def readings_import(ctx) -> Setup:
    from tests.tenants.meters.support import add_meter
    from tests.tenants.residents.factories import make_premises

    add_meter(make_premises(account="LS-FUZZ"), serial_number="FUZZ-1")
    text = "Лицевой счёт;Заводской номер;Показание\nLS-FUZZ;FUZZ-1;5\n".encode()
    return Setup(_user(Role.ACCOUNTANT), good=("readings.csv", text, "text/csv"))


STATEMENT = """1CClientBankExchange
ВерсияФормата=1.03
Кодировка=Windows
ДатаНачала=01.03.2025
ДатаКонца=05.03.2025
РасчСчет=40703810900000000001
СекцияДокумент=Платежное поручение
Номер=101
Дата=03.03.2025
Сумма=1500.00
ПлательщикСчет=40817810000000000123
ПолучательСчет=40703810900000000001
НазначениеПлатежа=Оплата ЖКУ за февраль 2025
КонецДокумента
КонецФайла
"""


def statement(ctx) -> Setup:
    data = STATEMENT.replace("\n", "\r\n").encode("cp1251")
    return Setup(_user(Role.ACCOUNTANT), good=("statement.txt", data, "text/plain"))


DOCUMENT_FIELDS = {"section": "charter", "title": "Устав", "readers": "owners"}


def document_new(ctx) -> Setup:
    return Setup(_user(Role.CHAIRMAN), data=dict(DOCUMENT_FIELDS), good=_pdf())


def document_version(ctx) -> Setup:
    from tests.tenants.documents.support import publish

    user = _user(Role.CHAIRMAN)
    document = publish(actor=user)
    return Setup(user, kwargs={"pk": document.pk}, data={"note": "Новая редакция"}, good=_pdf())


def _member():
    from tests.tenants.dispatch.support import member

    return member()


def request_new(ctx) -> Setup:
    user, premises = _member()
    data = {
        "kind": "repair",
        "category": "plumbing",
        "place": "premises",
        "premises": str(premises.pk),
        "description": "Течёт кран на кухне, вода капает на пол",
        "urgency": "normal",
    }
    return Setup(user, data=data, good=_png())


def request_photos(ctx) -> Setup:
    from tests.tenants.dispatch.support import file_request

    user, premises = _member()
    filed = file_request(user, premises)
    return Setup(user, kwargs={"pk": filed.pk}, good=_png())


def _forum_section():
    from tenants.forum import services

    chairman = _user(Role.CHAIRMAN, Role.BOARD_MEMBER)
    return services.save_section(actor=chairman, title="Дом", description="О доме")


def forum_topic(ctx) -> Setup:
    section = _forum_section()
    data = {"title": "Подвал", "body": "В подвале сыро"}
    return Setup(_user(Role.OWNER), kwargs={"pk": section.pk}, data=data, good=_png())


def forum_reply(ctx) -> Setup:
    from tenants.forum import services

    section = _forum_section()
    user = _user(Role.OWNER)
    topic = services.start_topic(actor=user, section=section, title="Подвал", body="Сыро")
    return Setup(user, kwargs={"pk": topic.pk}, data={"body": "Согласен"}, good=_png())


def forum_discuss(ctx) -> Setup:
    from tenants.budget import services as budget
    from tests.tenants.budget.support import make_estimate

    section = _forum_section()
    estimate = make_estimate(year=2031)
    budget.publish(estimate, actor=None)
    data = {"section": str(section.pk), "title": "Смета", "body": "Вопрос по смете"}
    kwargs = {"kind": "budget.estimate", "object_id": str(estimate.pk)}
    return Setup(_user(Role.OWNER), kwargs=kwargs, data=data, good=_png())


def budget_decision(ctx) -> Setup:
    from tenants.budget import services as budget
    from tests.tenants.budget.support import make_estimate

    estimate = make_estimate(year=2032)
    budget.publish(estimate, actor=None)
    budget.put_to_meeting(estimate, actor=None)
    data = {
        "adopted": "yes",
        "decided_on": "2025-12-10",
        "form": "mixed",
        "protocol_number": "1/2025",
    }
    return Setup(
        _user(Role.CHAIRMAN, Role.BOARD_MEMBER),
        kwargs={"pk": estimate.pk},
        data=data,
        good=_pdf(),
    )


def _meeting(ctx, *, organisation=False):
    from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises
    from tests.tenants.voting.support import line_of, live, owned, use_kind

    use_kind(ctx.monkeypatch, "tszh")
    chairman = _user(Role.CHAIRMAN, Role.OWNER)
    member = _user(Role.OWNER)
    building = BuildingFactory()
    shop = make_premises(building, area="120.00")
    company = make_owner(
        shop,
        name="",
        organisation={"name": "ООО «Ромашка»", "inn": "7707083893", "ogrn": "1027700132195"},
    )
    _, (own,) = owned(building, "80.00", users={0: member})
    meeting = live(actor=chairman, building=building)
    return meeting, chairman, member, line_of(meeting, company), line_of(meeting, own)


def paper(ctx) -> Setup:
    meeting, chairman, _member, _company, own = _meeting(ctx)
    question = meeting.questions.get()
    data = {"voter": str(own.pk), "source": "paper", f"q-{question.pk}": "for"}
    return Setup(chairman, kwargs={"pk": meeting.pk}, data=data, good=_pdf())


def proxy(ctx) -> Setup:
    meeting, _chairman, member, _company, own = _meeting(ctx)
    return Setup(member, kwargs={"pk": meeting.pk}, data={"voter": str(own.pk)}, good=_pdf())


def represent(ctx) -> Setup:
    meeting, _chairman, _member, company, _own = _meeting(ctx)
    data = {"voter": str(company.pk), "basis": "head"}
    return Setup(_user(Role.OWNER), kwargs={"pk": meeting.pk}, data=data, good=_pdf())


def _meters_today(ctx):
    from django.utils import timezone

    day = datetime.date(2026, 5, 20)
    ctx.monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def readings_submit(ctx) -> Setup:
    from tests.tenants.meters.support import home_of

    _meters_today(ctx)
    user = _user(Role.OWNER)
    _premises, (meter,) = home_of(user)
    register = meter.registers.get()
    return Setup(
        user,
        data={f"r-{register.pk}": "5"},
        good=_png(),
        field=f"photo-{meter.pk}",
    )


def _entered_by_board(meter, place) -> Setup:
    """The board enters a reading of ``meter`` on the page of ``place`` (premises or building)."""
    register = meter.registers.get()
    return Setup(
        _user(Role.CHAIRMAN, Role.BOARD_MEMBER),
        kwargs={"pk": place.pk},
        data={f"r-{register.pk}": "5", "taken_on": "2026-05-20"},
        good=_png(),
        field=f"photo-{meter.pk}",
    )


def readings_enter(ctx) -> Setup:
    from tests.tenants.meters.support import add_meter
    from tests.tenants.residents.factories import make_premises

    _meters_today(ctx)
    premises = make_premises()
    return _entered_by_board(add_meter(premises), premises)


def readings_enter_common(ctx) -> Setup:
    from tests.tenants.meters.support import add_meter
    from tests.tenants.residents.factories import BuildingFactory

    _meters_today(ctx)
    building = BuildingFactory()
    return _entered_by_board(add_meter(building=building), building)


# --- The table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Takes:
    """What a family of endpoints takes: the form field, the file kinds, the most bytes a file,
    and the settings they share; called with what differs, it makes one endpoint."""

    field: str
    kinds: frozenset[str]
    max_bytes: int
    shared: dict = field(default_factory=dict)

    def __call__(self, name, role, models, prepare, **own) -> UploadEndpoint:
        return UploadEndpoint(
            name,
            role,
            self.field,
            self.kinds,
            self.max_bytes,
            models,
            prepare,
            **self.shared,
            **own,
        )


LOGO = Takes("logo", IMAGES, 2 * MB)
TABLE = Takes("file", TABLES, 20 * MB)
STATEMENT_FILE = Takes("file", frozenset({"csv"}), 5 * MB)
DOCUMENT_FILE = Takes("file", DOCUMENT_KINDS, 20 * MB)
REQUEST_PHOTOS = Takes("photos", IMAGES, 10 * MB, {"multiple": True, "request_bytes": 50 * MB})
ATTACHMENTS = Takes("attachments", SCANS, 10 * MB, {"multiple": True, "request_bytes": 20 * MB})
PROTOCOL = Takes("protocol_file", SCANS, 20 * MB)
PAPER_SCAN = Takes("scan", SCANS, 10 * MB, {"request_bytes": 12 * MB})
VOTING_DOCUMENT = Takes("document", SCANS, 10 * MB, {"request_bytes": 12 * MB})
READING_PHOTO = Takes("photo", IMAGES, 10 * MB, {"request_bytes": 20 * MB})

DOCUMENTS = ("documents.Document", "documents.DocumentVersion")
REQUEST = ("dispatch.Request", "dispatch.Photo")
PHOTOS = ("dispatch.Photo",)
TOPIC = ("forum.Topic", "forum.Post", "forum.Attachment")
REPLY = ("forum.Post", "forum.Attachment")
PROXIES = ("voting.Proxy",)
READINGS = ("meters.Reading",)
STATEMENTS = ("ledger.BankStatement", "ledger.Payment")

ENDPOINTS = (
    LOGO("profile:logo", "chairman", ("profile.Profile",), logo),
    TABLE("imports:index", "chairman", ("imports.ImportJob",), registry_import),
    TABLE("meters:import", "accountant", ("meters.ReadingImport",), readings_import),
    STATEMENT_FILE("ledger:statement-upload", "accountant", STATEMENTS, statement),
    DOCUMENT_FILE("documents:new", "chairman", DOCUMENTS, document_new),
    DOCUMENT_FILE("documents:version-new", "chairman", DOCUMENTS, document_version),
    DOCUMENT_FILE("documents:api-documents", "chairman", DOCUMENTS, document_new, api=True),
    DOCUMENT_FILE("documents:api-versions", "chairman", DOCUMENTS, document_version, api=True),
    REQUEST_PHOTOS("dispatch:new", "owner", REQUEST, request_new),
    REQUEST_PHOTOS("dispatch:api-requests", "owner", REQUEST, request_new, api=True),
    REQUEST_PHOTOS("dispatch:photos", "owner", PHOTOS, request_photos, refuses_with_redirect=True),
    REQUEST_PHOTOS("dispatch:api-photos", "owner", PHOTOS, request_photos, api=True),
    ATTACHMENTS("forum:new-topic", "owner", TOPIC, forum_topic),
    ATTACHMENTS("forum:reply", "owner", REPLY, forum_reply),
    ATTACHMENTS("forum:discuss", "owner", TOPIC, forum_discuss),
    PROTOCOL("budget:decision", "chairman", ("budget.Decision",), budget_decision),
    PAPER_SCAN("voting:paper", "chairman", ("voting.ChainEntry",), paper),
    VOTING_DOCUMENT("voting:proxy", "owner", PROXIES, proxy),
    VOTING_DOCUMENT("voting:represent", "owner", PROXIES, represent),
    READING_PHOTO("meters:submit", "owner", READINGS, readings_submit),
    READING_PHOTO("meters:enter", "chairman", READINGS, readings_enter),
    READING_PHOTO("meters:enter-common", "chairman", READINGS, readings_enter_common),
)
BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
