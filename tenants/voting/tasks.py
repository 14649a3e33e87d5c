"""The voting's Celery tasks: tenant-aware, ids only (the periodic one finds what is due itself)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.voting.tasks.advance_meetings", acks_late=True)
def advance_meetings() -> dict:
    """Every few minutes in every ready association (``voting-advance``): start the voting of
    meetings whose start has come (the register is frozen then), and close online meetings
    whose end has passed. Meetings with paper decisions are closed by the board, once it has
    entered the decisions received before the end. Counts only."""
    from tenants.voting import services

    return services.advance_meetings()


@shared_task(name="tenants.voting.tasks.offer_outcomes", acks_late=True)
def offer_outcomes(meeting_id: str) -> int:
    """Once a meeting is closed (queued on its commit): hand each question that carried another
    app's material its outcome (``core.extensions.AgendaOutcome``). Ids only; a second delivery
    changes nothing."""
    from tenants.voting import services

    return services.offer_outcomes(meeting_id)
