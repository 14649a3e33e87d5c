"""The import pages: upload → preview → confirm → progress → result, and the template."""

from __future__ import annotations

import io
import uuid

import pytest
from django.db import connection
from django.utils import translation

from core.access.roles import Role
from tenants.imports import services
from tenants.imports.columns import COLUMNS, column_for_header
from tenants.imports.models import ImportJob, JobStatus
from tenants.imports.reading import FileRefused, read_table
from tests.tenants.imports.conftest import in_english, owner_row, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def chairman_client(alpha, client_of, board):
    return in_english(client_of(alpha, board))


def test_row_errors_are_in_russian_by_default(alpha, client_of, board):
    client = client_of(alpha, board)
    response = client.post("/registry/import/", {"file": upload(xlsx([owner_row(1, area="0")]))})

    html = client.get(response["Location"]).content.decode()
    assert "Строка 2: площадь должна быть числом больше нуля" in html


def test_the_board_uploads_a_file_and_sees_its_preview(chairman_client):
    content = xlsx([owner_row(1), owner_row(2, area="ноль")])

    response = chairman_client.post("/registry/import/", {"file": upload(content)})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/registry/import/{job.pk}/"
    page = chairman_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Row 3: the area must be a number greater than zero" in html
    assert "«ноль»" in html
    assert "Иванова Мария Петровна 2" in html
    assert f'action="/registry/import/{job.pk}/confirm/"' not in html, "errors block the import"


def test_the_preview_lists_rows_page_by_page(chairman_client, preview):
    job = preview(xlsx([owner_row(n) for n in range(1, 61)]))

    first = chairman_client.get(f"/registry/import/{job.pk}/")
    second = chairman_client.get(f"/registry/import/{job.pk}/?page=2")

    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 10
    assert second.context["rows"][0]["line"] == 52


def test_confirming_queues_the_task_with_the_job_id_only(
    chairman_client, preview, django_capture_on_commit_callbacks
):
    job = preview(xlsx([owner_row(1)]))
    from unittest import mock

    with (
        mock.patch("tenants.imports.tasks.apply_import.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = chairman_client.post(f"/registry/import/{job.pk}/confirm/")

    assert response.status_code == 302
    delay.assert_called_once_with(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    page = chairman_client.get(f"/registry/import/{job.pk}/").content.decode()
    assert f'hx-get="/registry/import/{job.pk}/progress/"' in page
    assert "<progress" in page


def test_the_progress_bar_asks_for_a_reload_once_the_import_is_over(chairman_client, preview):
    job = preview(xlsx([owner_row(1)]))
    services.confirm_import(job.pk)
    services.set_progress(job.pk, 1, 4)

    running = chairman_client.get(f"/registry/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'value="25"' in running.content.decode()
    assert "HX-Refresh" not in running

    services.apply_import(job.pk)
    finished = chairman_client.get(f"/registry/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"
    result = chairman_client.get(f"/registry/import/{job.pk}/").content.decode()
    assert "Premises created: 1" in result


def test_a_running_import_cannot_be_discarded(chairman_client, preview):
    job = preview(xlsx([owner_row(1)]))
    services.confirm_import(job.pk)

    response = chairman_client.post(f"/registry/import/{job.pk}/discard/", follow=True)

    assert "Only a preview that has not been imported can be discarded." in (
        response.content.decode()
    )
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_discarding_from_the_page(chairman_client, preview):
    job = preview(xlsx([owner_row(1)]))

    response = chairman_client.post(f"/registry/import/{job.pk}/discard/")

    assert response.status_code == 302 and response["Location"] == "/registry/import/"
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.DISCARDED


def test_a_job_of_another_association_is_not_found(alpha, beta, client_of, make_user):
    connection.set_tenant(beta)
    job = ImportJob(file_format="csv")
    job.save()
    client = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))

    assert client.get(f"/registry/import/{job.pk}/").status_code == 404
    assert client.get(f"/registry/import/{uuid.uuid4()}/progress/").status_code == 404


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_template_files_are_read_back_by_the_import(chairman_client, language):
    from openpyxl import load_workbook

    chairman_client.cookies["django_language"] = language
    xlsx_file = chairman_client.get("/registry/import/template.xlsx")
    csv_template = chairman_client.get("/registry/import/template.csv")

    assert "attachment" in xlsx_file["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx_file.content), read_only=True).worksheets[0]
    headers = next(sheet.iter_rows(values_only=True))
    with translation.override(language):
        assert headers == tuple(str(column.label) for column in COLUMNS)
    assert [column_for_header(header) for header in headers] == [c.key for c in COLUMNS]
    csv_headers = csv_template.content.decode("utf-8-sig").strip().split(";")
    assert [column_for_header(header) for header in csv_headers] == [c.key for c in COLUMNS]
    for name, response in (("t.xlsx", xlsx_file), ("t.csv", csv_template)):
        with pytest.raises(FileRefused) as caught:
            read_table(io.BytesIO(response.content), name)
        assert caught.value.code == "no_rows"


def test_the_import_page_documents_every_column(chairman_client):
    html = chairman_client.get("/registry/import/").content.decode()

    for column in COLUMNS:
        assert str(column.description).replace("'", "&#x27;") in html


def test_the_import_page_works_on_a_phone_without_inline_styles_or_scripts(chairman_client):
    html = chairman_client.get("/registry/import/").content.decode()

    assert 'name="viewport"' in html
    assert " style=" not in html
    assert "<script>" not in html


def test_a_broker_that_is_down_leaves_the_import_queued(
    chairman_client, preview, django_capture_on_commit_callbacks, caplog
):
    from unittest import mock

    job = preview(xlsx([owner_row(1)]))
    with (
        mock.patch("tenants.imports.tasks.apply_import.delay", side_effect=OSError("refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = chairman_client.post(f"/registry/import/{job.pk}/confirm/")

    assert response.status_code == 302
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert "could not be queued" in caplog.text


def test_an_upload_without_the_csrf_token_is_refused(alpha, board):
    from django.test import Client

    from tests.conftest import verify_second_factor
    from tests.factories import TEST_PASSWORD

    client = Client(enforce_csrf_checks=True, HTTP_HOST=alpha.get_primary_domain().domain)
    assert client.login(username=board.email, password=TEST_PASSWORD)
    verify_second_factor(client, board)

    response = client.post("/registry/import/", {"file": upload(xlsx([owner_row(1)]))})

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_previews_are_limited_per_association(
    chairman_client, beta, client_of, make_user, settings
):
    settings.IMPORT_PREVIEW_RATE = "2/h"
    content = xlsx([owner_row(1)])
    for _ in range(2):
        assert (
            chairman_client.post("/registry/import/", {"file": upload(content)}).status_code == 302
        )

    response = chairman_client.post("/registry/import/", {"file": upload(content)})

    assert response.status_code == 429
    [message] = response.context["form"].errors["file"]
    assert message.startswith(
        "Too many files have been checked for this association in the last hour. Try again in"
    )
    assert ImportJob.objects.count() == 2
    other = in_english(client_of(beta, make_user(beta, roles=[Role.CHAIRMAN])))
    assert other.post("/registry/import/", {"file": upload(content)}).status_code == 302


def test_the_default_preview_limit_is_ten_an_hour(preview):
    for n in range(10):
        preview(xlsx([owner_row(n + 1)]))

    with pytest.raises(services.TooManyPreviews):
        preview(xlsx([owner_row(11)]))


def counts(html: str) -> list[str]:
    """The texts of the row counts above the preview."""
    block = html.split('<ul class="import-counts">')[1].split("</ul>")[0]
    return [" ".join(item.split("</li>")[0].split()) for item in block.split("<li")[1:]]


@pytest.mark.parametrize(
    ("language", "single", "several"),
    [
        (
            "en",
            ["1 row", "1 new", "0 changed", "0 unchanged", "0 with errors"],
            ["3 rows", "2 new", "0 changed", "0 unchanged", "1 with errors"],
        ),
        # Total and errors have Russian plural forms already; the other three await theirs.
        ("ru", ["1 строка", "0 с ошибками"], ["3 строки", "1 с ошибкой"]),
    ],
)
def test_the_row_counts_agree_with_their_numbers(
    alpha, client_of, board, preview, language, single, several
):
    client = client_of(alpha, board)
    client.cookies["django_language"] = language
    one = preview(xlsx([owner_row(1)]))
    three = preview(xlsx([owner_row(1), owner_row(2), owner_row(3, area="0")]))

    for job, expected in ((one, single), (three, several)):
        shown = counts(client.get(f"/registry/import/{job.pk}/").content.decode())
        shown = [text.split(">", 1)[1] for text in shown]  # after the <li …> tag
        if language == "ru":
            shown = [shown[0], shown[4]]
        assert shown == expected
