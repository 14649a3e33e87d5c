"""The public Q&A: the chairman publishes an anonymised version after a preview; PostgreSQL's
``russian`` full-text search runs over published entries only; suggestions while a member types
(htmx) and without JavaScript (a button of the same form)."""

from __future__ import annotations

import pytest
from django.db import connection

from tenants.letters import selectors, services
from tenants.letters.models import PublicEntry, Question
from tests.tenants.letters.support import (
    answered_question,
    ask,
    board_user,
    member_with_home,
    published_entry,
)

pytestmark = pytest.mark.django_db


def lexemes(text: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('russian', %s)::text", [text])
        return cursor.fetchone()[0]


def test_what_the_russian_stemmer_really_does(in_alpha):
    """Facts of PostgreSQL's snowball stemmer that the search is built around."""
    # Forms of one word that share a stem: found by the stem alone.
    assert lexemes("трубы") == lexemes("труба") == "'труб':1"
    assert lexemes("счётчиков") == lexemes("счетчики") == "'счетчик':1"  # ё is е
    assert lexemes("перерасчета") == lexemes("перерасчёт") == "'перерасчет':1"
    # Forms that land on different stems: a plain match misses them.
    assert lexemes("протекает") == "'протека':1" and lexemes("протечка") == "'протечк':1"
    assert lexemes("подвал") == "'подва':1" and lexemes("подвале") == "'подвал':1"
    assert lexemes("батарея") == "'батаре':1" and lexemes("батареи") == "'батар':1"
    # Stop words carry nothing.
    assert lexemes("и не в") == ""


@pytest.fixture
def entries(in_alpha):
    chairman = board_user()
    made = {}
    for key, title, question, answer in [
        (
            "leak",
            "Протечка в подвале",
            "В подвале протечка с потолка, когда придёт сантехник?",
            "Участок трубы заменят в течение недели.",
        ),
        (
            "meters",
            "Поверка счетчика воды",
            "Кто оплачивает поверку счетчика?",
            "Поверку оплачивает собственник прибора учёта.",
        ),
        (
            "heating",
            "Холодные батареи",
            "Батарея в комнате едва тёплая.",
            "Система отопления будет промыта в сентябре.",
        ),
    ]:
        made[key] = services.publish(
            actor=chairman,
            question=answered_question(),
            title=title,
            question_text=question,
            answer_text=answer,
        )
    return made


def found(text, *, every_word=True):
    user = board_user()
    return [e.title for e in selectors.search_public(user, text, every_word=every_word)]


def test_the_search_finds_russian_word_forms(entries):
    assert found("протечку") == ["Протечка в подвале"]
    assert found("трубы") == ["Протечка в подвале"]
    assert found("счётчиков") == ["Поверка счетчика воды"]
    assert found("отоплением") == ["Холодные батареи"]
    # Different snowball stems meet through the stem's prefix.
    assert found("протекает") == ["Протечка в подвале"]
    assert found("подвал") == ["Протечка в подвале"]
    assert found("батарея") == ["Холодные батареи"]


def test_every_word_must_match_on_the_page_any_word_in_suggestions(entries):
    assert found("протечка батарея") == []
    assert set(found("протечка батарея", every_word=False)) == {
        "Протечка в подвале",
        "Холодные батареи",
    }


def test_query_syntax_and_stop_words_are_harmless(entries):
    assert found("труба & | ! :* ' ( ") == ["Протечка в подвале"]
    assert found("и не в") == []
    assert found("") == []


def test_a_title_match_ranks_above_an_answer_match(entries, in_alpha):
    services.publish(
        actor=board_user(),
        question=answered_question(),
        title="Уборка двора",
        question_text="Когда убирают двор?",
        answer_text="Двор убирают ежедневно, подвал — раз в месяц.",
    )
    assert found("подвал")[0] == "Протечка в подвале"


def test_members_letters_are_never_indexed(in_alpha, entries):
    ask(subject="Зюзюкина жалоба", text="Сосед Зюзюкин затопил квартиру 15")
    assert found("Зюзюкин") == [] and found("затопил") == []
    # The only full-text column of the schema is the published entries'.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'tsvector'"
        )
        assert cursor.fetchall() == [("letters_publicentry", "search")]
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname = 'letters_public_search_idx'"
        )
        assert "gin (search)" in cursor.fetchone()[0]
        # And no plaintext of a letter anywhere in the letters' tables.
        cursor.execute("SELECT subject FROM letters_question")
        assert all(row[0].startswith("e1.") for row in cursor.fetchall())


def test_a_withdrawn_answer_leaves_the_search(entries):
    services.withdraw(actor=board_user(), entry=entries["leak"])
    assert found("протечка") == []


def test_the_preview_shows_exactly_the_public_version_and_stores_nothing(
    alpha, client_of, in_alpha
):
    question = answered_question(text="Петров из кв. 15 заливает меня каждую неделю.")
    client = client_of(alpha, board_user())
    public = {
        "title": "Залив от соседей сверху",
        "question_text": "Соседи сверху заливают квартиру. Что делать?",
        "answer_text": "Составьте акт о заливе с правлением.",
    }
    page = client.get(f"/letters/questions/{question.pk}/publish/")
    assert page.status_code == 200
    # The form is empty: nothing of the letter is copied into it.
    assert page.context["form"]["question_text"].value() in (None, "")

    preview = client.post(
        f"/letters/questions/{question.pk}/publish/", {**public, "action": "preview"}
    )
    assert preview.status_code == 200
    section = preview.content.decode().split('class="letters-preview"')[1].split("</section>")[0]
    for text in public.values():
        assert text in section
    assert "Петров" not in section
    assert PublicEntry.objects.count() == 0

    done = client.post(
        f"/letters/questions/{question.pk}/publish/", {**public, "action": "publish"}
    )
    entry = PublicEntry.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/letters/qa/{entry.pk}/"
    assert (entry.title, entry.question_text, entry.answer_text) == tuple(public.values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM letters_publicentry")
        assert "Петров" not in str(cursor.fetchall())


def test_an_unanswered_question_cannot_be_published(alpha, client_of, in_alpha):
    question = ask()
    client = client_of(alpha, board_user())
    response = client.post(
        f"/letters/questions/{question.pk}/publish/",
        {"title": "Т", "question_text": "В", "answer_text": "О", "action": "publish"},
    )
    assert response.status_code == 400
    assert PublicEntry.objects.count() == 0


def test_suggestions_while_typing(alpha, client_of, entries):
    member, _premises, _account = member_with_home()
    client = client_of(alpha, member)
    before = Question.objects.count()
    assert client.get("/letters/ask/suggest/").status_code == 405
    response = client.post(
        "/letters/ask/suggest/",
        {"text": "У меня протекает потолок в подвале"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Протечка в подвале" in html and "<html" not in html
    assert "Холодные батареи" not in html
    assert Question.objects.count() == before  # nothing is sent while typing


def test_suggestions_without_javascript(alpha, client_of, entries):
    member, _premises, account = member_with_home()
    client = client_of(alpha, member)
    before = Question.objects.count()
    page = client.get("/letters/ask/").content.decode()
    assert 'hx-post="/letters/ask/suggest/"' in page and 'value="search"' in page
    response = client.post(
        "/letters/ask/",
        {
            "account": account.pk,
            "subject": "Батарея",
            "text": "Холодная батарея в спальне",
            "action": "search",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Холодные батареи" in html
    assert "Холодная батарея в спальне" in html  # the draft is kept in the form
    assert Question.objects.count() == before


def test_the_qa_page_searches_and_lists(alpha, client_of, entries):
    member, _premises, _account = member_with_home()
    client = client_of(alpha, member)
    listing = client.get("/letters/qa/")
    assert len(listing.context["page"].object_list) == 3
    searched = client.get("/letters/qa/", {"q": "поверку"})
    assert [e.title for e in searched.context["page"].object_list] == ["Поверка счетчика воды"]
    entry = client.get(f"/letters/qa/{entries['leak'].pk}/")
    assert "Участок трубы заменят" in entry.content.decode()


def test_published_entries_in_the_api(alpha, client_of, in_alpha):
    published_entry()
    member, _premises, _account = member_with_home()
    client = client_of(alpha, member)
    body = client.get("/api/v1/letters/public/", {"q": "протекает"}).json()
    assert [e["title"] for e in body["results"]] == ["Когда починят трубу в подвале"]
