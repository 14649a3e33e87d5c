"""Letters' pages: a member's questions and applications, the public Q&A, the board's desk.

Thin: the services decide and refuse (``core.ui.refusals``), the selectors scope what a reader
sees (someone else's letter is a 404). Pages that take a letter's text are ``sensitive_post``:
an error report never shows what was written.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.access.decorators import role_required
from core.access.roles import BOARD, MEMBER_ROLES
from core.sensitive import sensitive_post
from core.ui.refusals import act, attempt, show_refusal, submit
from tenants.letters import forms, selectors, services, terms
from tenants.letters import render as rendering
from tenants.letters.models import QuestionStatus

READERS = BOARD | MEMBER_ROLES
PAGE_SIZE = 50


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


# -- a member's letters ------------------------------------------------------------------------


@role_required(*MEMBER_ROLES)
@require_GET
def mine(request):
    """The member's questions and applications, newest first, with their states."""
    context = {
        "questions": selectors.my_questions(request.user),
        "applications": selectors.my_applications(request.user),
        "can_write": selectors.writing_accounts(request.user).exists(),
    }
    return render(request, "letters/mine.html", context)


@sensitive_post
@role_required(*MEMBER_ROLES)
def ask(request):
    """Ask the chairman in writing. Published answers matching the text are suggested before
    it is sent: as the member types (htmx, ``suggest``), or by the "find similar answers"
    button (the same form, without JavaScript)."""
    accounts = selectors.writing_accounts(request.user)
    context = {"has_accounts": accounts.exists(), "term": _term_text()}
    if request.method == "POST" and request.POST.get("action") == "search":
        # Not sent yet: the same form again, filled in, with the matching answers above it.
        form = forms.AskForm(initial=request.POST.dict(), accounts=accounts)
        context["suggestions"] = selectors.suggestions(request.user, request.POST.get("text", ""))
        context["searched"] = True
        return render(request, "letters/ask.html", {**context, "form": form})
    form = forms.AskForm(request.POST or None, accounts=accounts)
    context["form"] = form
    done = submit(
        request,
        form,
        lambda: services.ask(
            actor=request.user,
            account=form.cleaned_data["account"],
            subject=form.cleaned_data["subject"],
            text=form.cleaned_data["text"],
        ),
        done=_("Your question has been sent to the chairman."),
        then=lambda question: reverse("letters:question", kwargs={"pk": question.pk}),
    )
    return done or render(request, "letters/ask.html", context, status=_status(form))


def _term_text() -> str:
    today = selectors.association_today()
    due = selectors.due_for(today)
    return _("The chairman answers by %(due)s (%(term)s: %(basis)s).") % {
        "due": due.on.strftime("%d.%m.%Y"),
        "term": terms.term_label(due.days, due.working),
        "basis": terms.rule_basis(due.rule),
    }


@sensitive_post
@role_required(*MEMBER_ROLES)
@require_POST
def suggest(request):
    """The published answers that match the question being typed (an htmx fragment). POST, so
    the draft never lands in a URL or an access log."""
    found = selectors.suggestions(request.user, request.POST.get("text", ""))
    return render(request, "letters/_suggestions.html", {"suggestions": found, "live": True})


@sensitive_post
@role_required(*READERS)
def question(request, pk):
    """A question's thread. The member who asked replies; the board answers."""
    item = selectors.question_for(request.user, pk)
    board = selectors.is_board(request.user)
    form = forms.MessageForm(request.POST or None)
    if board:
        action = lambda: services.answer(  # noqa: E731
            actor=request.user, question=item, text=form.cleaned_data["text"]
        )
        done_text = _("The answer has been sent to the member.")
    else:
        action = lambda: services.reply(  # noqa: E731
            actor=request.user, question=item, text=form.cleaned_data["text"]
        )
        done_text = _("Your reply has been sent to the chairman.")
    then = reverse("letters:question", kwargs={"pk": item.pk})
    done = submit(request, form, action, done=done_text, then=then)
    if done:
        return done
    context = {
        "question": item,
        "messages_": selectors.thread(item),
        "board": board,
        "form": form,
        "basis": terms.rule_basis(item.term_rule),
        "overdue": item.status == QuestionStatus.WAITING
        and item.due_on < selectors.association_today(),
        "entry": getattr(item, "public_entry", None) if board else None,
        "can_reply": not board and item.status != QuestionStatus.CLOSED and item.erased_at is None,
    }
    return render(request, "letters/question.html", context, status=_status(form))


@role_required(*READERS)
@require_POST
def question_close(request, pk):
    item = selectors.question_for(request.user, pk)
    return act(
        request,
        lambda: services.close(actor=request.user, question=item),
        done=_("The question is closed."),
        then=reverse("letters:question", kwargs={"pk": item.pk}),
    )


# -- the public Q&A ---------------------------------------------------------------------------


@sensitive_post
@role_required(*READERS)
@require_GET
def qa(request):
    """Published answers, newest first, or those matching the search (``russian`` stems)."""
    form = forms.SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    entries = (
        selectors.search_public(request.user, text)
        if text
        else selectors.public_visible_to(request.user)
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "text": text, "board": selectors.is_board(request.user)}
    return render(request, "letters/qa.html", context)


@role_required(*READERS)
@require_GET
def qa_entry(request, pk):
    entry = selectors.public_entry_for(request.user, pk)
    board = selectors.is_board(request.user)
    return render(request, "letters/qa_entry.html", {"entry": entry, "board": board})


@role_required(*BOARD)
@require_POST
def qa_withdraw(request, pk):
    entry = selectors.public_entry_for(request.user, pk)
    return act(
        request,
        lambda: services.withdraw(actor=request.user, entry=entry),
        done=_("The answer was taken off the public Q&A."),
        then=reverse("letters:qa"),
    )


@sensitive_post
@role_required(*BOARD)
def publish(request, pk):
    """The chairman writes the public, anonymised version of an answered question; "preview"
    shows exactly what members will read, "publish" stores only that."""
    item = selectors.question_for(request.user, pk)
    entry = getattr(item, "public_entry", None)
    initial = {}
    if entry is not None:
        initial = {
            "title": entry.title,
            "question_text": entry.question_text,
            "answer_text": entry.answer_text,
        }
    form = forms.PublishForm(request.POST or None, initial=initial)
    context = {"question": item, "messages_": selectors.thread(item), "form": form, "entry": entry}
    if request.method == "POST" and request.POST.get("action") == "preview" and form.is_valid():
        outcome = attempt(lambda: services.clean_public_version(**form.cleaned_data))
        if outcome.refused:
            show_refusal(form, outcome.error)
        else:
            context["preview"] = outcome.result
        return render(request, "letters/publish.html", context, status=_status(form))
    done = submit(
        request,
        form,
        lambda: services.publish(actor=request.user, question=item, **form.cleaned_data),
        done=_("The answer is published in the Q&A."),
        then=lambda published: reverse("letters:qa-entry", kwargs={"pk": published.pk}),
    )
    return done or render(request, "letters/publish.html", context, status=_status(form))


# -- the board's desk -------------------------------------------------------------------------

BOARD_FILTERS = (
    ("", gettext_lazy("All")),
    ("waiting", gettext_lazy("Waiting")),
    ("overdue", gettext_lazy("Overdue")),
    ("answered", gettext_lazy("Answered")),
    ("closed", gettext_lazy("Closed")),
)


@role_required(*BOARD)
@require_GET
def board(request):
    """Every question, waiting ones first by due date; overdue ones marked and countable."""
    status = request.GET.get("status", "")
    if status not in {key for key, _label in BOARD_FILTERS}:
        status = ""
    today = selectors.association_today()
    page = Paginator(selectors.board_questions(status, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "filters": BOARD_FILTERS,
        "today": today,
        "overdue": selectors.overdue_count(today),
        "waiting": selectors.waiting_count(),
    }
    return render(request, "letters/board.html", context)


@role_required(*BOARD)
def term(request):
    """The association's own answer term (less than the law's), and the law's in force."""
    today = selectors.association_today()
    setting = selectors.own_term_on(today)
    form = forms.TermForm(request.POST or None, initial={"days": setting.days if setting else None})
    done = submit(
        request,
        form,
        lambda: services.set_answer_term(
            actor=request.user,
            days=form.cleaned_data["days"],
            valid_from=form.cleaned_data["valid_from"],
        ),
        done=_("The answer term is saved."),
        then=reverse("letters:term"),
    )
    law = terms.legal_term(selectors.association_kind(), today)
    context = {
        "form": form,
        "law": law,
        "setting": setting,
        "history": selectors.term_history(),
        "example": selectors.due_for(today),
        "today": today,
    }
    return done or render(request, "letters/term.html", context, status=_status(form))


# -- applications -------------------------------------------------------------------------------


@role_required(*MEMBER_ROLES)
@require_GET
def apply(request):
    """The kinds of application the board accepts."""
    context = {
        "templates": selectors.templates_for_members(),
        "has_accounts": selectors.writing_accounts(request.user).exists(),
    }
    return render(request, "letters/apply.html", context)


@sensitive_post
@role_required(*MEMBER_ROLES)
def apply_form(request, code):
    template = selectors.template_for_member(code)
    accounts = selectors.writing_accounts(request.user)
    form = forms.ApplicationForm(request.POST or None, accounts=accounts, template=template)
    done = submit(
        request,
        form,
        lambda: services.file_application(
            actor=request.user,
            account=form.cleaned_data["account"],
            template=template,
            values=form.values(),
        ),
        done=_("Your application is registered."),
        then=lambda application: reverse("letters:application", kwargs={"pk": application.pk}),
    )
    context = {"form": form, "template": template, "has_accounts": accounts.exists()}
    return done or render(request, "letters/apply_form.html", context, status=_status(form))


@sensitive_post
@role_required(*READERS)
def application(request, pk):
    item = selectors.application_for(request.user, pk)
    board = selectors.is_board(request.user)
    form = forms.AnswerApplicationForm(request.POST or None) if board else None
    if request.method == "POST" and not board:
        return redirect("letters:application", pk=item.pk)
    if form is not None:
        done = submit(
            request,
            form,
            lambda: services.answer_application(
                actor=request.user, application=item, text=form.cleaned_data["text"]
            ),
            done=_("The answer has been sent to the member."),
            then=reverse("letters:application", kwargs={"pk": item.pk}),
        )
        if done:
            return done
    context = {
        "application": item,
        "board": board,
        "form": form,
        "items": [] if item.erased_at else rendering.items(item),
    }
    status = _status(form) if form else 200
    return render(request, "letters/application.html", context, status=status)


@role_required(*READERS)
@require_GET
def application_pdf(request, pk):
    item = selectors.application_for(request.user, pk)
    pdf = rendering.render_pdf(item)
    response = HttpResponse(pdf, content_type="application/pdf")
    # The journal number only: nothing personal in the file's name.
    response["Content-Disposition"] = (
        f'inline; filename="application-{item.year}-{item.number}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*BOARD)
@require_GET
def journal(request):
    """The journal of applications: number, date, kind, account, status."""
    years = selectors.journal_years()
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    page = Paginator(selectors.journal(year), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "letters/journal.html", {"page": page, "years": years, "year": year})


@role_required(*BOARD)
@require_GET
def templates(request):
    from tenants.letters.models import ApplicationTemplate

    return render(
        request,
        "letters/templates.html",
        {"templates": ApplicationTemplate.objects.order_by("position", "title")},
    )


@role_required(*BOARD)
def template_edit(request, pk=None):
    template = selectors.template_for(request.user, pk) if pk else None
    if template is not None:
        initial = {
            "title": template.title,
            "description": template.description,
            "preamble": template.preamble,
            "is_active": template.is_active,
            "position": template.position,
        }
        rows = [
            {
                "label": f["label"],
                "kind": f["kind"],
                "required": f.get("required"),
                "help": f.get("help", ""),
            }
            for f in template.fields
        ]
    else:
        initial, rows = {"is_active": True, "position": 100}, []
    # Bound on every POST, an empty one too (a 400 beside the fields, never a 500).
    data = request.POST if request.method == "POST" else None
    form = forms.TemplateForm(data, initial=initial)
    fields = forms.FieldRows(data, initial=rows, prefix="fields")
    if request.method == "POST" and not fields.is_valid():
        form.is_valid()
        form.add_error(None, _("Check the fields below."))
    else:
        done = submit(
            request,
            form,
            lambda: services.save_template(
                actor=request.user,
                template=template,
                fields=[row for row in fields.cleaned_data if row],
                **form.cleaned_data,
            ),
            done=_("The template is saved."),
            then=reverse("letters:templates"),
        )
        if done:
            return done
    context = {"form": form, "fields": fields, "template": template}
    status = 400 if form.is_bound and (form.errors or fields.errors) else 200
    return render(request, "letters/template_form.html", context, status=status)
