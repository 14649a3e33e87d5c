"""A worker that starts (after Redis came back, say) asks for a relay run at once rather than
at beat's next minute."""

from __future__ import annotations

import logging

from celery.signals import worker_ready

logger = logging.getLogger(__name__)


@worker_ready.connect
def relay_at_start(sender=None, **kwargs) -> None:
    try:
        sender.app.send_task("core.relay.tasks.relay")
    except Exception:  # noqa: BLE001 - beat's run comes within the minute
        logger.warning("relay: could not be queued at the worker's start")
