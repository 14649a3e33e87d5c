"""The status machine: every allowed transition in one table, the rest refused with a message in
Russian, and the sides (desk, member) kept apart."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenants.dispatch import workflow
from tenants.dispatch.models import Status

ALLOWED = {
    ("new", "assigned"),
    ("new", "in_progress"),
    ("new", "rejected"),
    ("new", "cancelled"),
    ("new", "merged"),
    ("assigned", "in_progress"),
    ("assigned", "on_hold"),
    ("assigned", "done"),
    ("assigned", "rejected"),
    ("assigned", "cancelled"),
    ("in_progress", "on_hold"),
    ("in_progress", "done"),
    ("on_hold", "in_progress"),
    ("on_hold", "done"),
    ("on_hold", "rejected"),
    ("done", "closed"),
    ("done", "reopened"),
    ("closed", "reopened"),
    ("reopened", "assigned"),
    ("reopened", "in_progress"),
    ("reopened", "rejected"),
    ("reopened", "merged"),
}


PAIRS = list(itertools.product(Status.values, Status.values))


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_the_table_allows_exactly_these(current, target):
    assert workflow.allowed(current, target) == ((current, target) in ALLOWED)


@pytest.mark.parametrize(
    ("current", "target"),
    [("new", "done"), ("done", "in_progress"), ("closed", "done"), ("rejected", "new")],
)
def test_a_refused_transition_says_why_in_russian(current, target):
    with translation.override("ru"), pytest.raises(ValidationError) as refused:
        workflow.check(current, target, by_desk=True)
    message = refused.value.message_dict["status"][0]
    assert "не может" in message, message


def test_final_statuses_go_nowhere():
    for final in (Status.REJECTED, Status.CANCELLED, Status.MERGED):
        assert workflow.next_for_desk(final) == []
        assert not any(workflow.allowed(final, target) for target in Status.values)


def test_the_member_only_cancels_closes_and_reopens():
    workflow.check("new", "cancelled", by_desk=False)
    workflow.check("done", "closed", by_desk=False)
    workflow.check("done", "reopened", by_desk=False)
    for current, target in [("new", "assigned"), ("in_progress", "done"), ("new", "rejected")]:
        with pytest.raises(ValidationError):
            workflow.check(current, target, by_desk=False)


def test_the_desk_does_not_withdraw_a_members_request():
    with pytest.raises(ValidationError):
        workflow.check("new", "cancelled", by_desk=True)


def test_an_unknown_status_is_refused():
    with pytest.raises(ValidationError):
        workflow.check("new", "teleported", by_desk=True)
