"""The API answers as the pages do: a member files (JSON or multipart with photos, all or
nothing), reads their own requests and comments; someone else's request is a 404; the desk
reads everything and the suppliers' contacts; refusals are 400s naming the field."""

from __future__ import annotations

import pytest

from tenants.dispatch import services
from tenants.dispatch.models import Photo, Place, Request
from tenants.files.models import StoredFile
from tests.tenants.dispatch.support import a_png, desk, file_request, member, photo, supplier
from tests.tenants.residents.factories import make_premises

pytestmark = pytest.mark.django_db
API = "/api/v1/dispatch"


def _payload(premises, **fields):
    return {
        "category": "plumbing",
        "place": "premises",
        "premises": str(premises.pk),
        "description": "Течёт кран",
        "urgency": "urgent",
        **fields,
    }


def test_a_member_files_as_json_and_reads_it_back(in_alpha, alpha, client_of):
    user, premises = member()
    client = client_of(alpha, user)
    response = client.post(f"{API}/requests/", _payload(premises), content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "new" and body["description"] == "Течёт кран"
    listed = client.get(f"{API}/requests/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert client.get(f"{API}/requests/{body['id']}/").json()["number"] == body["number"]


def test_a_member_files_with_photos_as_multipart(in_alpha, alpha, client_of):
    user, premises = member()
    client = client_of(alpha, user)
    response = client.post(f"{API}/requests/", _payload(premises, photos=[photo(), a_png()]))
    assert response.status_code == 201, response.json()
    request = Request.objects.get(pk=response.json()["id"])
    assert Photo.objects.filter(request=request).count() == 2
    photos = client.get(f"{API}/requests/{request.pk}/photos/").json()
    assert len(photos) == 2 and photos[0]["url"].startswith("/files/")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": ""}, "description"),
        ({"category": "teleportation"}, "category"),
        ({"urgency": "now"}, "urgency"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(in_alpha, alpha, client_of, fields, field):
    user, premises = member()
    client = client_of(alpha, user)
    response = client.post(
        f"{API}/requests/", _payload(premises, **fields), content_type="application/json"
    )
    assert response.status_code == 400 and field in response.json()
    assert not Request.objects.exists()


def test_a_photo_that_is_not_an_image_writes_nothing(in_alpha, alpha, client_of):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user, premises = member()
    client = client_of(alpha, user)
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image")
    response = client.post(f"{API}/requests/", _payload(premises, photos=[a_png(), fake]))
    assert response.status_code == 400 and "photos" in response.json()
    assert not Request.objects.exists() and not StoredFile.objects.exists()


def test_someone_elses_premises_is_a_400(in_alpha, alpha, client_of):
    user, _premises = member()
    _other, theirs = member()
    response = client_of(alpha, user).post(
        f"{API}/requests/", _payload(theirs), content_type="application/json"
    )
    assert response.status_code == 400 and "premises" in response.json()
    assert not Request.objects.exists()


def test_over_50_mb_is_a_413(in_alpha, alpha, client_of):
    user, premises = member()
    client = client_of(alpha, user)
    response = client.post(
        f"{API}/requests/", _payload(premises), CONTENT_LENGTH=str(51 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert not Request.objects.exists()


def test_someone_elses_request_is_a_404(in_alpha, alpha, client_of):
    owner, premises = member()
    request = file_request(owner, premises)
    other, _theirs = member()
    client = client_of(alpha, other)
    assert client.get(f"{API}/requests/").json()["results"] == []
    for path in ("", "comments/", "photos/"):
        assert client.get(f"{API}/requests/{request.pk}/{path}").status_code == 404
    response = client.post(
        f"{API}/requests/{request.pk}/comments/", {"text": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.post(
        f"{API}/requests/{request.pk}/photos/", {"photos": [a_png()]}
    ).status_code == (404)


def test_comments_both_ways(in_alpha, alpha, client_of):
    user, premises = member()
    dispatcher = desk()
    request = file_request(user, premises)
    member_client = client_of(alpha, user)
    desk_client = client_of(alpha, dispatcher)
    path = f"{API}/requests/{request.pk}/comments/"
    assert (
        member_client.post(path, {"text": ""}, content_type="application/json").status_code == 400
    )
    member_client.post(path, {"text": "Когда придут?"}, content_type="application/json")
    desk_client.post(path, {"text": "Завтра в 10"}, content_type="application/json")
    comments = member_client.get(path).json()
    assert [(c["text"], c["by_desk"], c["by_you"]) for c in comments] == [
        ("Когда придут?", False, True),
        ("Завтра в 10", True, False),
    ]


def test_a_collective_request_shows_members_only_their_own(in_alpha, alpha, client_of):
    first_user, home = member()
    second_user, _second = member(premises=make_premises(home.building))
    one = file_request(first_user, None, place=Place.COMMON, building=home.building)
    two = file_request(second_user, None, place=Place.COMMON, building=home.building)
    collective = services.merge([one, two], actor=desk(), description="Общий текст")
    client = client_of(alpha, first_user)
    listed = {row["id"]: row for row in client.get(f"{API}/requests/").json()["results"]}
    assert set(listed) == {str(one.pk), str(collective.pk)}
    assert listed[str(one.pk)]["collective"]["description"] == "Общий текст"
    assert listed[str(collective.pk)]["description"] == "Общий текст"
    assert client.get(f"{API}/requests/{two.pk}/").status_code == 404


def test_the_desk_filters_and_reads_the_suppliers(in_alpha, alpha, client_of):
    user, premises = member()
    file_request(user, premises)
    lift = file_request(user, premises, category="elevator")
    supplier(phone="+7 900 000-00-01")
    client = client_of(alpha, desk())
    rows = client.get(f"{API}/requests/?category=elevator").json()["results"]
    assert [row["id"] for row in rows] == [str(lift.pk)]
    suppliers = client.get(f"{API}/suppliers/").json()["results"]
    assert suppliers[0]["phone"] == "+7 900 000-00-01"
    assert client_of(alpha, user).get(f"{API}/suppliers/").status_code == 403


def test_the_schema_describes_the_api(in_alpha, alpha, client_of):
    response = client_of(alpha, desk()).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/dispatch/requests/" in response.content
