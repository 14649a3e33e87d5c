"""The online payments' REST API: a member lists and starts payments for their own accounts,
someone else's account is a 404, bad amounts are 400s with nothing written; the accountant
lists every payment."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from billing.payments.models import OnlinePayment, Status

URL = "/api/v1/payments/"


def test_a_member_starts_a_payment_for_their_own_account_and_lists_it(
    member, test_provider, client_of, alpha
):
    user, account = member
    client = client_of(alpha, user)
    answer = client.post(
        URL,
        {"account": str(account.pk), "amount": "1500.50", "period": "2025-02"},
        "application/json",
    )
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["amount"] == "1500.50" and data["period"] == "2025-02"
    assert data["status"] == Status.CREATED and data["account_number"] == account.number
    assert data["confirm_url"] == f"/money/online/{data['id']}/"
    connection.set_tenant(alpha)
    payment = OnlinePayment.objects.get()
    assert payment.amount == Decimal("1500.50") and payment.created_by_id == user.pk

    listed = client.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert client.get(f"{URL}{data['id']}/").json()["id"] == data["id"]


def test_bad_amounts_and_someone_elses_account_change_nothing(
    member, stranger_account, test_provider, client_of, alpha
):
    user, account = member
    client = client_of(alpha, user)
    for amount in ("0", "-5", "0.001", "abc"):
        answer = client.post(
            URL, {"account": str(account.pk), "amount": amount}, "application/json"
        )
        assert answer.status_code == 400, amount
        assert "amount" in answer.json()
    answer = client.post(
        URL, {"account": str(stranger_account.pk), "amount": "10"}, "application/json"
    )
    assert answer.status_code == 404
    answer = client.post(
        URL, {"account": str(account.pk), "amount": "10", "period": "2019-01"}, "application/json"
    )
    assert answer.status_code == 400 and "period" in answer.json()
    connection.set_tenant(alpha)
    assert not OnlinePayment.objects.exists()


def test_a_member_sees_only_their_own_payments_and_the_accountant_all(
    member, stranger_account, test_provider, client_of, make_user, alpha
):
    user, account = member
    connection.set_tenant(alpha)
    theirs = OnlinePayment.objects.create(account=account, amount=Decimal("5.00"), provider="test")
    other = OnlinePayment.objects.create(
        account=stranger_account, amount=Decimal("7.00"), provider="test"
    )
    client = client_of(alpha, user)
    assert [r["id"] for r in client.get(URL).json()["results"]] == [str(theirs.pk)]
    assert client.get(f"{URL}{other.pk}/").status_code == 404

    accountant = make_user(alpha, roles=["accountant"])
    books = client_of(alpha, accountant)
    assert {r["id"] for r in books.get(URL).json()["results"]} == {str(theirs.pk), str(other.pk)}
    assert (
        books.post(URL, {"account": str(account.pk), "amount": "1"}, "application/json").status_code
        == 403
    )
    assert client_of(alpha).get(URL).status_code == 401


def test_online_payment_off_is_a_clear_400(member, client_of, alpha):
    user, account = member
    answer = client_of(alpha, user).post(
        URL, {"account": str(account.pk), "amount": "10"}, "application/json"
    )
    assert answer.status_code == 400
    connection.set_tenant(alpha)
    assert not OnlinePayment.objects.exists()


def test_the_schema_describes_the_payments_api(alpha, client_of, make_user):
    accountant = make_user(alpha, roles=["accountant"])
    schema = (
        client_of(alpha, accountant)
        .get("/api/schema/", HTTP_ACCEPT="application/json")
        .content.decode()
    )
    assert "/api/v1/payments/" in schema and "/api/v1/payments/{id}/" in schema
    assert "OnlinePayment" in schema
