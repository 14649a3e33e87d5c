"""Expectations of the registry import's URLs: the board (chairman, board member) only.

Everyone else signed in gets 403, anonymous visitors and members of another association the
login page. An import job is the association's (any board member's); a job id from another
association simply does not exist here (404, see tests/tenants/imports/test_views.py).
"""

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    TENANT_ACTORS,
    TENANT_URLCONF,
)


def board_only(answer) -> dict:
    answers = dict.fromkeys(TENANT_ACTORS, FORBIDDEN)
    answers["anonymous"] = answers["other_association"] = LOGIN
    answers[Role.CHAIRMAN.value] = answers[Role.BOARD_MEMBER.value] = answer
    return answers


def a_job(association) -> dict:
    """A preview uploaded by another board member of the association."""
    from tenants.imports.models import ImportJob
    from tests.factories import UserFactory

    author = UserFactory(roles=[Role.CHAIRMAN])
    job = ImportJob(created_by=author, file_name="registry.xlsx", file_format="xlsx")
    job.save()
    return {"job_id": job.pk}


EXPECTATIONS: dict = {
    (TENANT_URLCONF, "imports:index"): ({}, board_only(OK)),
    (TENANT_URLCONF, "imports:template-xlsx"): ({}, board_only(OK)),
    (TENANT_URLCONF, "imports:template-csv"): ({}, board_only(OK)),
    (TENANT_URLCONF, "imports:job"): (a_job, board_only(OK)),
    (TENANT_URLCONF, "imports:progress"): (a_job, board_only(OK)),
    (TENANT_URLCONF, "imports:confirm"): (a_job, board_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "imports:discard"): (a_job, board_only(NOT_ALLOWED)),
}
