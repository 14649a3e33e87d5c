"""The pages, through HTTP: a member files and follows a request, the desk works it; someone
else's request is a 404; a body over the limit is refused before it is read; the work order
and a collective request show no more than they should."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.access.roles import Role
from tenants.dispatch import services
from tenants.dispatch.models import Photo, Place, Request, Status
from tenants.files.models import StoredFile
from tests.tenants.dispatch.support import a_png, desk, file_request, member, photo, supplier
from tests.tenants.residents.factories import make_premises

pytestmark = pytest.mark.django_db


def _form(premises, **fields):
    return {
        "kind": "repair",
        "category": "plumbing",
        "place": "premises",
        "premises": str(premises.pk),
        "building": "",
        "description": "Течёт кран на кухне",
        "urgency": "normal",
        "access_time": "после 18:00",
        "contact_phone": "",
        **fields,
    }


def test_a_member_files_a_request_with_a_photo(in_alpha, alpha, client_of):
    user, premises = member()
    client = client_of(alpha, user)
    page = client.get("/dispatch/new/")
    assert page.status_code == 200 and 'name="photos"' in page.content.decode()
    response = client.post("/dispatch/new/", _form(premises, photos=[photo(), a_png()]))
    assert response.status_code == 302, response.content.decode()[:2000]
    request = Request.objects.get(author=user)
    assert response["Location"] == f"/dispatch/requests/{request.pk}/"
    assert Photo.objects.filter(request=request).count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert "Течёт кран на кухне" in detail and "/files/" in detail
    assert f"№ {request.number}" in client.get("/dispatch/").content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "Describe the problem."),
        ({"category": "teleportation"}, "Select a valid choice"),
        ({"photos": [SimpleUploadedFile("a.jpg", b"not an image at all")]}, "Photo 1"),
    ],
)
def test_bad_input_shows_a_message_and_writes_nothing(in_alpha, alpha, client_of, fields, message):
    user, premises = member()
    client = client_of(alpha, user)
    response = client.post("/dispatch/new/", _form(premises, **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Request.objects.exists() and not StoredFile.objects.exists()


def test_someone_elses_premises_is_refused_on_the_page(in_alpha, alpha, client_of):
    user, _premises = member()
    _other, theirs = member()
    response = client_of(alpha, user).post("/dispatch/new/", _form(theirs))
    assert response.status_code == 400 and not Request.objects.exists()


def test_a_body_over_50_mb_is_refused_before_it_is_read(in_alpha, alpha, client_of):
    user, premises = member()
    client = client_of(alpha, user)
    response = client.post(
        "/dispatch/new/",
        _form(premises),
        CONTENT_LENGTH=str(51 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "at most 50 MB" in response.content.decode()
    assert not Request.objects.exists()


def test_someone_elses_request_is_a_404(in_alpha, alpha, client_of):
    owner, premises = member()
    other, _theirs = member()
    request = file_request(owner, premises)
    client = client_of(alpha, other)
    for path in (
        f"/dispatch/requests/{request.pk}/",
        f"/dispatch/requests/{request.pk}/photos/",
    ):
        assert client.get(path).status_code == 404, path
    for action in ("comment", "rate", "reopen", "cancel"):
        assert client.post(f"/dispatch/requests/{request.pk}/{action}/", {}).status_code == 404
    assert (
        client.post(f"/dispatch/requests/{request.pk}/comment/", {"text": "чужое"}).status_code
        == 404
    )
    assert not request.comments.exists()


def test_the_member_rates_and_reopens_from_the_page(in_alpha, alpha, client_of):
    user, premises = member()
    dispatcher = desk()
    request = file_request(user, premises)
    services.change_status(request, actor=dispatcher, to=Status.IN_PROGRESS)
    services.change_status(request, actor=dispatcher, to=Status.DONE)
    client = client_of(alpha, user)
    page = client.get(f"/dispatch/requests/{request.pk}/").content.decode()
    assert "Rate the work" in page and "Reopen the request" in page
    response = client.post(
        f"/dispatch/requests/{request.pk}/rate/", {"rating": "5", "comment": "Отлично"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.rating == 5 and request.status == Status.CLOSED
    client.post(f"/dispatch/requests/{request.pk}/reopen/", {"reason": "Опять"})
    request.refresh_from_db()
    assert request.status == Status.REOPENED


def test_the_desk_works_a_request(in_alpha, alpha, client_of):
    user, premises = member()
    dispatcher = desk()
    fixer = supplier()
    request = file_request(user, premises)
    client = client_of(alpha, dispatcher)
    queue = client.get("/dispatch/desk/").content.decode()
    assert f"№ {request.number}" in queue
    page = client.get(f"/dispatch/requests/{request.pk}/").content.decode()
    assert "Течёт кран" in page and "Assign" in page
    client.post(
        f"/dispatch/requests/{request.pk}/assign/",
        {"supplier": str(fixer.pk), "work_description": "Заменить смеситель"},
    )
    client.post(f"/dispatch/requests/{request.pk}/status/", {"to": "in_progress"})
    client.post(f"/dispatch/requests/{request.pk}/status/", {"to": "done", "cost": "1200"})
    response = client.post(f"/dispatch/requests/{request.pk}/status/", {"to": "assigned"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.supplier_id, str(request.cost)) == (
        Status.DONE,
        fixer.pk,
        "1200.00",
    )
    client.post(f"/dispatch/requests/{request.pk}/classify/", {"category": "heating"})
    request.refresh_from_db()
    assert request.category == "heating" and request.category_confirmed_at is not None


def test_queue_filters(in_alpha, alpha, client_of):
    user, premises = member()
    plumbing = file_request(user, premises)
    lift = file_request(user, premises, category="elevator", urgency="emergency")
    client = client_of(alpha, desk())
    html = client.get("/dispatch/desk/?category=elevator").content.decode()
    assert f"№ {lift.number} " in html and f"№ {plumbing.number} " not in html
    html = client.get("/dispatch/desk/?urgency=normal").content.decode()
    assert f"№ {plumbing.number} " in html and f"№ {lift.number} " not in html
    html = client.get(f"/dispatch/desk/?building={premises.building_id}").content.decode()
    assert f"№ {plumbing.number} " in html and f"№ {lift.number} " in html
    Request.objects.filter(pk=lift.pk).update(due_at=lift.filed_at)
    html = client.get("/dispatch/desk/?overdue=on").content.decode()
    assert f"№ {lift.number} " in html and f"№ {plumbing.number} " not in html
    assert client.get("/dispatch/desk/?status=bogus&page=x").status_code == 200


def test_the_work_order_shows_the_phone_only_by_consent(in_alpha, alpha, client_of):
    agreed_user, agreed_home = member()
    private_user, private_home = member()
    agreed = file_request(
        agreed_user, agreed_home, contact_phone="+7 900 555-11-22", share_phone=True
    )
    private = file_request(private_user, private_home, contact_phone="+7 900 777-88-99")
    client = client_of(alpha, desk())
    shown = client.get(f"/dispatch/requests/{agreed.pk}/work-order/").content.decode()
    hidden = client.get(f"/dispatch/requests/{private.pk}/work-order/").content.decode()
    assert "+7 900 555-11-22" in shown and "после" not in shown
    assert "+7 900 777-88-99" not in hidden
    for html in (shown, hidden):
        assert "Течёт кран" not in html  # the member's own words are not printed
        assert "Петрова" not in html  # nor a name


def test_members_on_a_collective_request_never_see_each_other(in_alpha, alpha, client_of):
    first_user, first_home = member()
    second_user, _second_home = member(premises=make_premises(first_home.building))
    dispatcher = desk()
    one = file_request(
        first_user,
        None,
        place=Place.COMMON,
        building=first_home.building,
        description="Первый: в подъезде темно",
        photos=[a_png()],
    )
    two = file_request(
        second_user,
        None,
        place=Place.COMMON,
        building=first_home.building,
        description="Второй: не горит лампа",
        photos=[a_png()],
    )
    client = client_of(alpha, dispatcher)
    response = client.post(
        "/dispatch/desk/merge/",
        {"r": [str(one.pk), str(two.pk)], "description": "Не горит свет в подъезде"},
    )
    assert response.status_code == 302
    collective = Request.objects.get(is_collective=True)
    services.add_comment(collective, actor=dispatcher, text="Электрик придёт в 10", by_desk=True)
    services.add_comment(two, actor=second_user, text="Секрет второго", by_desk=False)
    first = client_of(alpha, first_user)
    page = first.get(f"/dispatch/requests/{one.pk}/").content.decode()
    assert "Первый: в подъезде темно" in page and "Не горит свет в подъезде" in page
    assert "Электрик придёт в 10" in page
    assert "Второй" not in page and "Секрет второго" not in page
    second_photo = Photo.objects.get(request=two).file_id
    assert str(second_photo) not in page
    assert first.get(f"/files/{second_photo}/").status_code == 404
    own_photo = Photo.objects.get(request=one).file_id
    assert first.get(f"/files/{own_photo}/").status_code == 200
    # The collective request itself leads a member to their own request on it.
    assert first.get(f"/dispatch/requests/{collective.pk}/")["Location"] == (
        f"/dispatch/requests/{one.pk}/"
    )
    desk_page = client.get(f"/dispatch/requests/{collective.pk}/").content.decode()
    assert f"№ {one.number}" in desk_page and f"№ {two.number}" in desk_page


def test_the_board_edits_deadlines_and_the_dispatcher_reads_them(in_alpha, alpha, client_of):
    chairman = desk(Role.CHAIRMAN)
    dispatcher = desk()
    form = {"category": "elevator", "urgency": "urgent", "hours": "5", "valid_from": "2026-01-01"}
    assert client_of(alpha, dispatcher).post("/dispatch/desk/deadlines/", form).status_code == 403
    response = client_of(alpha, chairman).post("/dispatch/desk/deadlines/", form)
    assert response.status_code == 302
    page = client_of(alpha, dispatcher).get("/dispatch/desk/deadlines/").content.decode()
    assert "5 h" in page
    bad = client_of(alpha, chairman).post("/dispatch/desk/deadlines/", form | {"hours": "0"})
    assert bad.status_code == 400
