"""The pages and the API: a member's one-page submission (refusals beside the fields, the late
notice, the confirmation of an anomaly), someone else's meter (404), the board entering readings
for a member, the board's meter pages, and the API's submit, history and status."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tenants.meters import services
from tenants.meters.models import Meter, MeterKind, Reading, ReadingSource
from tests.factories import UserFactory
from tests.tenants.meters.support import board_meter, history, home_of
from tests.tenants.residents.factories import make_premises

pytestmark = pytest.mark.django_db
MAY_20 = datetime.date(2026, 5, 20)
MAY = datetime.date(2026, 5, 1)
SUBMIT = "/meters/"


@pytest.fixture
def member(in_alpha):
    return UserFactory(roles=["owner"])


@pytest.fixture
def chairman(in_alpha):
    return UserFactory(roles=["chairman", "board_member"])


def field(meter) -> str:
    return services.reading_field(meter.registers.get())


def test_the_page_shows_every_meter_with_the_numeric_keyboard(member, alpha, client_of, today):
    today(MAY_20)
    _premises, meters = home_of(member, kinds=(MeterKind.COLD_WATER, MeterKind.HOT_WATER))
    history(meters[0], ["10.5"], until=MAY)
    page = client_of(alpha, member).get(SUBMIT)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('inputmode="decimal"') == 2
    assert 'data-previous="10.500' in html
    assert "meters/readings.js" in html
    assert "<script>" not in html  # CSP: no inline script


def test_a_member_submits_and_corrects(member, alpha, client_of, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    client = client_of(alpha, member)
    answer = client.post(SUBMIT, {field(meter): "3,25"})
    assert answer.status_code == 302
    answer = client.post(SUBMIT, {field(meter): "3,3"}, follow=True)
    assert "You can correct them until" in answer.content.decode()
    assert Reading.objects.filter(meter=meter).count() == 2
    assert Reading.objects.get(superseded_at__isnull=True).value == Decimal("3.3")


def test_refusals_are_shown_beside_the_field_and_nothing_stored(member, alpha, client_of, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    answer = client_of(alpha, member).post(SUBMIT, {field(meter): "12b"})
    assert answer.status_code == 400
    assert f'data-field="{field(meter)}"' in answer.content.decode()
    assert "Enter digits only" in answer.content.decode()
    assert not Reading.objects.exists()


def test_a_late_reading_says_which_period_it_counts_in(member, alpha, client_of, today):
    today(datetime.date(2026, 5, 27))
    _premises, (meter,) = home_of(member)
    client = client_of(alpha, member)
    assert "count in June 2026" in client.get(SUBMIT).content.decode()
    answer = client.post(SUBMIT, {field(meter): "1"}, follow=True)
    assert "count in June 2026" in answer.content.decode()
    assert Reading.objects.get().period == datetime.date(2026, 6, 1)


def test_an_anomaly_asks_for_confirmation_on_the_page(member, alpha, client_of, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    history(meter, ["4", "8", "12", "16"], until=MAY)
    client = client_of(alpha, member)
    answer = client.post(SUBMIT, {field(meter): "90"})
    assert answer.status_code == 400 and 'name="confirm"' in answer.content.decode()
    answer = client.post(SUBMIT, {field(meter): "90", "confirm": "on"})
    assert answer.status_code == 302
    assert Reading.objects.get(period=MAY).flagged


def test_someone_elses_meter_is_not_found(member, alpha, client_of, today):
    today(MAY_20)
    home_of(member)
    stranger = board_meter()
    client = client_of(alpha, member)
    assert client.get(reverse("meters:meter", kwargs={"pk": stranger.pk})).status_code == 404
    # A posted field for a foreign register is not on the member's form: nothing stored.
    client.post(SUBMIT, {field(stranger): "5"})
    assert not Reading.objects.filter(meter=stranger).exists()
    api = client.post(
        "/api/v1/meters/readings/",
        {"readings": [{"register": str(stranger.registers.get().pk), "value": "5"}]},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert not Reading.objects.exists()


def test_the_board_enters_a_members_readings(member, chairman, alpha, client_of, today):
    today(MAY_20)
    premises, (meter,) = home_of(member)
    client = client_of(alpha, chairman)
    url = reverse("meters:enter", kwargs={"pk": premises.pk})
    assert client.get(url).status_code == 200
    answer = client.post(url, {field(meter): "6", "taken_on": "2026-05-19"})
    assert answer.status_code == 302
    reading = Reading.objects.get()
    assert reading.source == ReadingSource.BOARD and reading.entered_by == chairman
    page = client_of(alpha, member).get(reverse("meters:meter", kwargs={"pk": meter.pk}))
    assert "Entered by the board" in page.content.decode()


def test_the_board_adds_replaces_and_closes_meters(chairman, alpha, client_of, today):
    today(MAY_20)
    premises = make_premises()
    client = client_of(alpha, chairman)
    answer = client.post(
        reverse("meters:add", kwargs={"pk": premises.pk}),
        {
            "kind": "hot_water",
            "tariff": "single",
            "serial_number": "HW-77",
            "digits": "5",
            "decimals": "3",
            "installed_on": "2025-01-15",
            "initial-total": "1,5",
        },
    )
    assert answer.status_code == 302
    meter = Meter.objects.get(serial_number="HW-77")
    answer = client.post(
        reverse("meters:replace", kwargs={"pk": meter.pk}),
        {
            "on": "2026-05-15",
            "final-total": "9",
            "serial_number": "HW-78",
            "tariff": "single",
            "digits": "5",
            "decimals": "3",
        },
    )
    assert answer.status_code == 302
    new = Meter.objects.get(serial_number="HW-78")
    assert new.replaces_id == meter.pk
    answer = client.post(
        reverse("meters:close", kwargs={"pk": new.pk}),
        {"on": "2026-05-20", "reason": "removed", "final-total": "0"},
    )
    assert answer.status_code == 302
    page = client.get(reverse("meters:board-premises", kwargs={"pk": premises.pk}))
    assert page.status_code == 200 and "HW-77" in page.content.decode()


def test_the_board_refusal_of_a_lower_final_reading(chairman, alpha, client_of, today):
    today(MAY_20)
    premises = make_premises()
    meter = services.add_meter(
        actor=None,
        premises=premises,
        kind="cold_water",
        serial_number="C-1",
        installed_on=datetime.date(2025, 1, 1),
        initial_values={"total": "50"},
    )
    answer = client_of(alpha, chairman).post(
        reverse("meters:replace", kwargs={"pk": meter.pk}),
        {
            "on": "2026-05-15",
            "final-total": "40",
            "serial_number": "C-2",
            "tariff": "single",
            "digits": "5",
            "decimals": "3",
        },
    )
    assert answer.status_code == 400
    assert "lower than the previous one (50)" in answer.content.decode()
    assert Meter.objects.count() == 1


def test_the_api_submits_lists_history_and_status(member, alpha, client_of, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    client = client_of(alpha, member)
    register = meter.registers.get()
    bad = client.post(
        "/api/v1/meters/readings/",
        {"readings": [{"register": str(register.pk), "value": "1234567"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and field(meter) in bad.json()
    good = client.post(
        "/api/v1/meters/readings/",
        {"readings": [{"register": str(register.pk), "value": "7.5"}], "period": "2026-05"},
        content_type="application/json",
    )
    assert good.status_code == 201, good.content
    assert good.json()["period"] == "2026-05" and good.json()["late"] is False
    listed = client.get("/api/v1/meters/").json()
    assert [m["id"] for m in listed["results"]] == [str(meter.pk)]
    readings = client.get(f"/api/v1/meters/{meter.pk}/readings/").json()["results"]
    assert readings[0]["value"] == "7.5000" and readings[0]["current"] is True
    status = client.get("/api/v1/meters/status/").json()
    assert status["period"] == "2026-05"
    assert status["meters"] == [
        {"meter": str(meter.pk), "premises": str(meter.premises_id), "submitted": True}
    ]
    closed = client.post(
        "/api/v1/meters/readings/",
        {"readings": [{"register": str(register.pk), "value": "8"}], "period": "2026-04"},
        content_type="application/json",
    )
    assert closed.status_code == 400 and "closed" in closed.json()["period"][0]


def test_the_schema_describes_the_meters_api(member, alpha, client_of):
    schema = client_of(alpha, member).get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in (
        "/api/v1/meters/",
        "/api/v1/meters/{id}/",
        "/api/v1/meters/{id}/readings/",
        "/api/v1/meters/readings/",
        "/api/v1/meters/status/",
    ):
        assert path in text
