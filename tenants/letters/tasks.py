"""The letters' Celery tasks: tenant-aware, no arguments (they find what is due themselves)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.letters.tasks.send_reminders", acks_late=True)
def send_reminders() -> dict:
    """Hourly in every ready association (``letters-reminders``): the board is told of questions
    due within two working days and of overdue ones, once per due date (counts only)."""
    from tenants.letters import reminders

    return reminders.send_due_reminders()
