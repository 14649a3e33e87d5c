"""The voting's Celery tasks: tenant-aware, no arguments (they find what is due themselves)."""

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
