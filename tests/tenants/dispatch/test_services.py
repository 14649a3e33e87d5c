"""Filing, the desk's work, the member's rating and reopening, through the services: what is
stored (and encrypted), what is refused (and then nothing is stored), who is told."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.dispatch import services
from tenants.dispatch.models import (
    Category,
    Comment,
    Event,
    Photo,
    Place,
    Request,
    Status,
    Urgency,
)
from tenants.files import selectors as file_selectors
from tenants.files.models import StoredFile
from tenants.notifications.models import InboxItem
from tests.tenants.dispatch.support import a_png, desk, file_request, member, photo, supplier
from tests.tenants.files.images import GPS_IFD, MAKE
from tests.tenants.residents.factories import make_premises

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _nothing_written():
    return (
        Request.objects.count(),
        Photo.objects.count(),
        StoredFile.objects.count(),
        Event.objects.count(),
    )


def test_a_member_files_a_request_with_photos(in_alpha):
    user, premises = member()
    request = file_request(
        user,
        premises,
        location_note="кухня",
        access_time="будни после 18:00",
        contact_phone="+7 900 123-45-67",
        share_phone=True,
        photos=[photo(), a_png()],
    )
    request.refresh_from_db()
    assert request.number >= 1 and request.status == Status.NEW
    assert request.holding_id is not None and request.building_id == premises.building_id
    assert request.due_at > request.filed_at
    assert request.suggested_category == Category.PLUMBING  # the keyword rules
    assert request.description.startswith("Течёт кран")
    raw = _raw("dispatch_request", "description", request.pk)
    assert raw.startswith("e1.") and "кран" not in raw
    assert Photo.objects.filter(request=request).count() == 2
    assert set(StoredFile.objects.values_list("holding_id", flat=True)) == {request.holding_id}
    assert Event.objects.get(request=request).action == "filed"
    entry = AuditEntry.objects.get(action="dispatch.request_filed")
    assert "кран" not in str(entry.details) and entry.details["photos"] == 2


def test_exif_is_gone_from_a_stored_photo(in_alpha):
    user, premises = member()
    request = file_request(user, premises, photos=[photo()])
    stored = Photo.objects.get(request=request).file
    kept = file_selectors.read_bytes(StoredFile.objects.get(pk=stored.pk))
    assert b"SecretCam" not in kept and b"Exif" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        exif = image.getexif()
        assert MAKE not in exif and not exif.get_ifd(GPS_IFD)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "   "}, "description"),
        ({"category": "teleportation"}, "category"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"place": "moon"}, "place"),
        ({"share_phone": True}, "contact_phone"),
        ({"contact_phone": "12"}, "contact_phone"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(in_alpha, fields, field):
    user, premises = member()
    before = _nothing_written()
    with pytest.raises(ValidationError) as refused:
        file_request(user, premises, photos=[photo()], **fields)
    assert field in refused.value.message_dict
    assert _nothing_written() == before


def test_a_file_that_is_not_an_image_undoes_the_whole_request(in_alpha):
    user, premises = member()
    before = _nothing_written()
    fake = SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        file_request(user, premises, photos=[photo(), fake])
    assert "Photo 2" in refused.value.message_dict["photos"][0]
    assert _nothing_written() == before


def test_more_than_ten_photos_are_refused(in_alpha):
    user, premises = member()
    with pytest.raises(ValidationError) as refused:
        file_request(user, premises, photos=[a_png() for _ in range(11)])
    assert "photos" in refused.value.message_dict
    assert Request.objects.count() == 0


def test_someone_elses_premises_is_refused(in_alpha):
    user, _mine = member()
    _other, theirs = member()
    before = _nothing_written()
    with pytest.raises(ValidationError) as refused:
        file_request(user, theirs)
    assert "premises" in refused.value.message_dict
    with pytest.raises(ValidationError):
        file_request(user, None, place=Place.COMMON, building=theirs.building)
    assert _nothing_written() == before


def test_a_login_without_premises_cannot_file(in_alpha):
    from tests.factories import UserFactory

    stranger = UserFactory(roles=[Role.OWNER])
    with pytest.raises(ValidationError):
        file_request(stranger, make_premises())


def test_a_common_area_request_is_under_the_members_own_key(in_alpha):
    user, premises = member()
    request = file_request(user, None, place=Place.COMMON, building=premises.building)
    assert request.premises_id is None and request.building_id == premises.building_id
    assert request.encryption_key_name().startswith("acct-")


def test_numbers_follow_each_other(in_alpha):
    user, premises = member()
    first = file_request(user, premises)
    second = file_request(user, premises)
    assert second.number == first.number + 1


# -- the desk and the member ----------------------------------------------------------------------


def _done(request, actor, **kwargs):
    services.change_status(request, actor=actor, to=Status.IN_PROGRESS)
    services.change_status(request, actor=actor, to=Status.DONE, **kwargs)


def _inbox(user) -> list[str]:
    return list(
        InboxItem.objects.filter(user=user)
        .order_by("message__created_at")
        .values_list("message__kind", flat=True)
    )


def test_every_change_is_told_to_the_member(in_alpha):
    user, premises = member()
    dispatcher = desk()
    request = file_request(user, premises)
    assert "dispatch.desk_news" in _inbox(dispatcher)
    fixer = supplier()
    services.assign(request, actor=dispatcher, supplier=fixer, work_description="Заменить кран")
    services.change_status(request, actor=dispatcher, to=Status.IN_PROGRESS)
    services.add_comment(request, actor=dispatcher, text="Мастер придёт завтра", by_desk=True)
    services.change_status(request, actor=dispatcher, to=Status.DONE, cost="1500,50")
    request.refresh_from_db()
    assert request.status == Status.DONE and str(request.cost) == "1500.50"
    assert request.supplier == fixer and request.work_description == "Заменить кран"
    assert _inbox(user).count("dispatch.request_changed") == 4
    statuses = list(
        Event.objects.filter(request=request, action="status").values_list("status_to", flat=True)
    )
    assert statuses == ["assigned", "in_progress", "done"]


def test_the_member_rates_and_the_request_closes(in_alpha):
    user, premises = member()
    dispatcher = desk()
    request = file_request(user, premises)
    services.change_status(request, actor=dispatcher, to=Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        services.rate(request, actor=user, rating=5)  # not done yet
    services.change_status(request, actor=dispatcher, to=Status.DONE)
    for bad in (0, 6, "five", None):
        with pytest.raises(ValidationError):
            services.rate(request, actor=user, rating=bad)
    services.rate(request, actor=user, rating=4, comment="Быстро, но грязно")
    request.refresh_from_db()
    assert (request.rating, request.status) == (4, Status.CLOSED)
    assert request.rating_comment == "Быстро, но грязно"
    with pytest.raises(ValidationError):
        services.rate(request, actor=user, rating=5)  # once


def test_the_member_reopens_within_the_period_only(in_alpha):
    user, premises = member()
    dispatcher = desk()
    request = file_request(user, premises)
    _done(request, dispatcher)
    services.reopen(request, actor=user, reason="Снова течёт")
    request.refresh_from_db()
    assert request.status == Status.REOPENED and request.reopen_count == 1
    assert request.due_at > request.reopened_at
    assert Comment.objects.get(request=request).text == "Снова течёт"
    _done(request, dispatcher)
    Request.objects.filter(pk=request.pk).update(
        done_at=request.filed_at - datetime.timedelta(days=31)
    )
    with pytest.raises(ValidationError):
        services.reopen(request, actor=user)
    services.reopen(request, actor=dispatcher, by_desk=True)  # the desk may, when called


def test_refused_transitions_change_nothing(in_alpha):
    user, premises = member()
    dispatcher = desk()
    request = file_request(user, premises)
    with pytest.raises(ValidationError):
        services.change_status(request, actor=dispatcher, to=Status.CLOSED)
    with pytest.raises(ValidationError):
        services.change_status(request, actor=dispatcher, to=Status.ASSIGNED)
    services.cancel(request, actor=user)
    with pytest.raises(ValidationError):
        services.change_status(request, actor=dispatcher, to=Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        services.assign(request, actor=dispatcher, supplier=None)
    request.refresh_from_db()
    assert request.status == Status.CANCELLED


def test_only_the_author_comments_rates_and_cancels(in_alpha):
    user, premises = member()
    other, _theirs = member()
    request = file_request(user, premises)
    for action in (
        lambda: services.add_comment(request, actor=other, text="Привет", by_desk=False),
        lambda: services.cancel(request, actor=other),
        lambda: services.add_photos(request, actor=other, photos=[a_png()]),
    ):
        with pytest.raises(ValidationError):
            action()


def test_confirming_a_changed_category_moves_the_deadline(in_alpha):
    user, premises = member()
    dispatcher = desk()
    request = file_request(user, premises, category=Category.OTHER, urgency=Urgency.URGENT)
    before = request.due_at
    services.confirm_category(request, actor=dispatcher, category=Category.ELECTRICITY)
    request.refresh_from_db()
    assert request.category_confirmed_at is not None
    assert request.due_at < before  # electricity, urgent: 12 h instead of 72 h
    with pytest.raises(ValidationError):
        services.confirm_category(request, actor=dispatcher, category="nonsense")


# -- merging --------------------------------------------------------------------------------------


def test_duplicates_merge_into_a_collective_request(in_alpha):
    first_user, first_home = member()
    second_user, second_home = member(premises=make_premises(first_home.building))
    dispatcher = desk()
    one = file_request(first_user, None, place=Place.COMMON, building=first_home.building)
    two = file_request(
        second_user,
        None,
        place=Place.COMMON,
        building=second_home.building,
        urgency=Urgency.URGENT,
        photos=[a_png()],
    )
    with pytest.raises(ValidationError):
        services.merge([one, two], actor=dispatcher, description="")
    collective = services.merge([one, two], actor=dispatcher, description="Не горит свет")
    assert collective.is_collective and collective.author_id is None
    assert collective.holding_id is None
    assert collective.urgency == Urgency.URGENT and collective.building_id == first_home.building_id
    assert collective.encryption_key_name() != one.encryption_key_name()
    for row in (one, two):
        row.refresh_from_db()
        assert row.status == Status.MERGED and row.collective_id == collective.pk
    assert "dispatch.request_changed" in _inbox(first_user)
    assert "dispatch.request_changed" in _inbox(second_user)
    services.change_status(one, actor=dispatcher, to=Status.IN_PROGRESS)  # acts on the collective
    collective.refresh_from_db()
    assert collective.status == Status.IN_PROGRESS
    with pytest.raises(ValidationError):
        services.merge([collective, one], actor=dispatcher, description="x")


# -- deadlines ------------------------------------------------------------------------------------


def test_reminders_and_escalations_are_sent_once(in_alpha):
    user, premises = member()
    dispatcher = desk()
    chairman = desk(Role.CHAIRMAN)
    request = file_request(user, premises, urgency=Urgency.EMERGENCY)  # 2 h
    soon = request.filed_at + datetime.timedelta(hours=1, minutes=40)
    assert services.send_deadline_notices(soon)["reminded"] == 1
    assert services.send_deadline_notices(soon)["reminded"] == 0
    assert "dispatch.deadline_soon" in _inbox(dispatcher)
    late = request.filed_at + datetime.timedelta(hours=3)
    assert services.send_deadline_notices(late)["escalated"] == 1
    assert services.send_deadline_notices(late)["escalated"] == 0
    assert "dispatch.overdue" in _inbox(chairman)


def test_work_done_long_ago_closes_by_itself(in_alpha):
    user, premises = member()
    request = file_request(user, premises)
    _done(request, desk())
    request.refresh_from_db()
    later = request.done_at + datetime.timedelta(days=8)
    assert services.send_deadline_notices(later)["closed"] == 1
    request.refresh_from_db()
    assert request.status == Status.CLOSED


# -- erasure --------------------------------------------------------------------------------------


def test_erasing_a_former_holder_erases_their_text_and_photos(in_alpha):
    from tenants.residents import services as residents
    from tenants.residents.models import Holding

    user, premises = member()
    dispatcher = desk()
    fixer = supplier()
    request = file_request(
        user, premises, contact_phone="+79001234567", share_phone=True, photos=[photo()]
    )
    services.add_comment(request, actor=user, text="Жду мастера", by_desk=False)
    services.assign(request, actor=dispatcher, supplier=fixer, work_description="Кран")
    _done(request, dispatcher, cost="900")
    services.rate(request, actor=user, rating=5, comment="Спасибо")
    holding = Holding.objects.get(pk=request.holding_id)
    residents.change_holder(
        holding.account, holder={"full_name": "Новый Владелец"}, on=datetime.date(2025, 1, 1)
    )
    residents.erase_holder(Holding.objects.get(pk=request.holding_id))

    request = Request.objects.get(pk=request.pk)
    assert request.description is None and request.contact_phone is None
    assert request.rating_comment is None and request.work_description is None
    assert not request.share_phone
    assert (request.status, request.category, request.rating) == (Status.CLOSED, "plumbing", 5)
    assert str(request.cost) == "900.00" and request.supplier_id == fixer.pk
    assert request.done_at is not None
    assert Comment.objects.get(request=request).text is None
    assert not Photo.objects.filter(request=request).exists()
    assert not StoredFile.objects.filter(holding_id=request.holding_id).exists()
