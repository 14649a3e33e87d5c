"""The budget's pages. Thin: the services decide and refuse (``core.ui.refusals``), the
selectors scope what a reader sees (a draft, for a member, is a 404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.access.decorators import role_required
from core.access.roles import ACCOUNT_READERS, BOARD, MEMBER_ROLES, has_role
from core.ui.refusals import act, submit
from core.uploads import upload_too_large
from tenants.budget import arithmetic, forms, report, selectors, services
from tenants.budget.models import Article, Basis, Line, Status
from tenants.budget.purposes import PROTOCOL
from tenants.ledger.declaration import LEDGER_KEEPERS

READERS = ACCOUNT_READERS | MEMBER_ROLES
#: Who applies the approved rates as tariffs: the board and the accountant.
APPLIERS = ACCOUNT_READERS


def _status(form) -> int:
    return 400 if form is not None and form.is_bound and form.errors else 200


def _url(estimate) -> str:
    return reverse("budget:estimate", args=[estimate.pk])


@role_required(*READERS)
def index(request):
    edits = selectors.edits(request.user)
    form = forms.EstimateForm(request.POST or None) if edits else None
    _writes(request, edits)

    def create():
        data = form.cleaned_data
        last = None
        if data.get("copy_last"):
            last = (
                selectors.estimates_visible_to(request.user).filter(year=data["year"] - 1).first()
            )
        return services.create_estimate(
            actor=request.user, year=data["year"], title=data.get("title", ""), copy_from=last
        )

    done = form is not None and submit(
        request, form, create, done=_("The estimate is created."), then=_url
    )
    return done or render(
        request,
        "budget/index.html",
        {"estimates": selectors.estimates_visible_to(request.user), "form": form},
        status=_status(form),
    )


def _estimate_context(request, estimate, **extra) -> dict:
    lines = list(estimate.lines.all())
    edits = selectors.edits(request.user)
    context = {
        "estimate": estimate,
        "groups": selectors.grouped(lines),
        "total": sum((line.planned for line in lines), arithmetic.ZERO),
        "rates": selectors.rates_of(estimate, lines),
        "versions": selectors.versions_of(estimate),
        "decisions": list(estimate.decisions.select_related("protocol_file")),
        "check": services.verify(estimate) if estimate.approved_hash else None,
        "edits": edits,
        "applies": has_role(request.user, *APPLIERS),
        "line_form": forms.LineForm() if edits and estimate.is_editable else None,
        "revise_form": forms.ReviseForm() if edits else None,
        "decision_form": forms.MeetingDecisionForm()
        if edits and estimate.status == Status.MEETING
        else None,
        "gardening": services.association_kind() in services.ONLINE_KINDS,
    }
    context["agenda"] = agenda = selectors.agenda_of(estimate)
    context["on_agenda"] = any(q.meeting.status != "closed" for q in agenda)
    context.update(extra)
    return context


@role_required(*READERS)
def estimate(request, pk):
    found = selectors.estimate_for(request.user, pk)
    return render(request, "budget/estimate.html", _estimate_context(request, found))


@role_required(*BOARD)
def line_add(request, pk):
    found = selectors.estimate_for(request.user, pk)
    form = forms.LineForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: services.add_line(found, actor=request.user, **form.cleaned_data),
        done=_("The line is added."),
        then=_url(found),
    )
    return done or render(
        request,
        "budget/line_form.html",
        {"estimate": found, "form": form},
        status=_status(form),
    )


@role_required(*BOARD)
def line_edit(request, pk):
    line = selectors.line_for(request.user, pk)
    found = line.estimate
    initial = {name: getattr(line, name) for name in services.LINE_FIELDS}
    form = forms.LineForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.update_line(line, actor=request.user, **form.cleaned_data),
        done=_("The line is saved."),
        then=_url(found),
    )
    return done or render(
        request,
        "budget/line_form.html",
        {"estimate": found, "line": line, "form": form},
        status=_status(form),
    )


@role_required(*BOARD)
@require_POST
def line_delete(request, pk):
    line = selectors.line_for(request.user, pk)
    return act(
        request,
        lambda: services.delete_line(line, actor=request.user),
        done=_("The line is deleted."),
        then=_url(line.estimate),
    )


def _estimate_button(service, done, then=_url):
    """A board's button on an estimate (a POST without a form): the service called with the
    estimate the reader may see, its outcome (``done`` or the refusal) as a message, and back
    to ``then(estimate)`` (the estimate's page by default)."""

    @role_required(*BOARD)
    @require_POST
    def view(request, pk):
        found = selectors.estimate_for(request.user, pk)
        return act(request, lambda: service(found, actor=request.user), done=done, then=then(found))

    view.__doc__ = service.__doc__
    view.__name__ = view.__qualname__ = service.__name__
    return view


def _execution_url(estimate) -> str:
    return reverse("budget:execution", args=[estimate.pk])


publish = _estimate_button(services.publish, _lazy("The estimate is published for discussion."))
refresh = _estimate_button(services.refresh_bases, _lazy("The registry's totals are taken again."))
to_meeting = _estimate_button(
    services.put_to_meeting, _lazy("The estimate is put to the general meeting.")
)
#: The execution report published to members and owners through the documents in one click
#: (a new version of the same document when published again).
report_publish = _estimate_button(
    services.publish_report,
    _lazy("The execution report is published in the documents."),
    then=_execution_url,
)


def _writes(request, allowed: bool) -> None:
    """A page everyone of its readers opens, with a form only some may send."""
    if request.method == "POST" and not allowed:
        raise PermissionDenied


@role_required(*BOARD)
@require_POST
def revise(request, pk):
    found = selectors.estimate_for(request.user, pk)
    form = forms.ReviseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return act(
        request,
        lambda: services.revise(found, actor=request.user, reason=reason),
        done=_("The revised version is published."),
        then=_url(found),
    )


def _vote_form(request, found):
    """The form putting the estimate on a members' meeting's agenda, with the rule in force
    today for such a meeting (its forms and thresholds); None if the partnership holds none."""
    from django.utils import timezone

    from tenants.voting import rules
    from tenants.voting import services as voting

    try:
        rule = voting.rule_for("members", on=timezone.localdate())
    except ValidationError:
        return None, []
    meetings = selectors.draft_members_meetings()
    form = forms.VoteForm(
        request.POST or None,
        meetings=[(str(m.pk), f"№ {m.number} · {m.title}") for m in meetings],
        forms_allowed=[(f, rules.MeetingForm(f).label) for f in rule.forms()],
        thresholds=rule.threshold_choices(),
        online=services.association_kind() in services.ONLINE_KINDS,
        initial={"threshold": services.vote_threshold(rule), "takes_effect_on": None},
    )
    return form, meetings


@role_required(*BOARD)
def to_vote(request, pk):
    """The estimate's final version on the agenda of a members' meeting held through the
    voting engine (a new one or a draft); the meeting's outcome comes back when it closes."""
    found = selectors.estimate_for(request.user, pk)
    reason = ""
    if found.status not in (Status.DISCUSSION, Status.MEETING):
        reason = _("Only an estimate under discussion is put to a meeting.")
    elif any(q.meeting.status != "closed" for q in selectors.agenda_of(found)):
        reason = _("The estimate is on a meeting's agenda already.")
    form, meetings = _vote_form(request, found) if not reason else (None, [])

    def put():
        data = form.cleaned_data
        chosen = next((m for m in meetings if str(m.pk) == data.get("meeting")), None)
        return services.put_to_vote(
            found,
            actor=request.user,
            meeting=chosen,
            new_meeting=form.new_meeting(),
            threshold=data["threshold"],
            takes_effect_on=data.get("takes_effect_on"),
        )

    done = form is not None and submit(
        request,
        form,
        put,
        done=_("The estimate is on the meeting's agenda."),
        then=lambda question: reverse("voting:meeting", kwargs={"pk": question.meeting_id}),
    )
    if request.method == "POST" and form is None:
        return act(request, _refuse(reason), then=_url(found))
    return done or render(
        request,
        "budget/vote.html",
        {"estimate": found, "form": form, "reason": reason},
        status=_status(form),
    )


def _refuse(reason: str):
    def refused():
        raise ValidationError(reason or _("This partnership holds no members' meetings."))

    return refused


@csrf_exempt  # checked by ``_decide`` once the size limit has been applied
@role_required(*BOARD)
@require_POST
def decision(request, pk):
    """The meeting's decision entered from its protocol (upload refused before it is read when
    too large)."""
    found = selectors.estimate_for(request.user, pk)
    if upload_too_large(request, PROTOCOL.max_bytes):
        form = forms.MeetingDecisionForm({}, {})
        form.full_clean()
        form.errors["protocol_file"] = form.error_class(
            [_("The file is too large: at most %(size)s.") % {"size": PROTOCOL.describe_size()}]
        )
        context = _estimate_context(request, found, decision_form=form)
        return render(request, "budget/estimate.html", context, status=413)
    return _decide(request, found)


@csrf_protect
def _decide(request, found):
    form = forms.MeetingDecisionForm(request.POST, request.FILES)
    done = submit(
        request,
        form,
        lambda: services.record_decision(
            found,
            actor=request.user,
            source="protocol",
            **form.cleaned_data,
        ),
        done=_("The meeting's decision is recorded."),
        then=_url(found),
    )
    return done or render(
        request,
        "budget/estimate.html",
        _estimate_context(request, found, decision_form=form),
        status=_status(form),
    )


@role_required(*APPLIERS)
def apply(request, pk):
    """The approved rates as the ledger's tariffs: a confirmation page, then one POST."""
    found = selectors.estimate_for(request.user, pk)
    if request.method == "POST":
        return act(
            request,
            lambda: services.apply_rates(found, actor=request.user),
            done=_("The tariffs are set from the approved estimate."),
            then=_url(found),
        )
    return render(
        request,
        "budget/apply.html",
        {
            "estimate": found,
            "rates": selectors.rates_of(found),
            "decision": services.adopted_decision(found),
        },
    )


def _shown(name: str, value: str) -> str:
    if name == "article" and value in Article.values:
        return str(Article(value).label)
    if name == "basis" and value in Basis.values:
        return str(Basis(value).label)
    return value or "—"


def _labelled(fields: dict) -> list[tuple[str, str, str]]:
    """A change's fields as (the field's name, before, after) in the reader's language."""
    return [
        (str(Line._meta.get_field(name).verbose_name), _shown(name, old), _shown(name, new))
        for name, (old, new) in fields.items()
    ]


@role_required(*READERS)
def versions(request, pk):
    """Differences between two versions, line by line (the last two by default)."""
    found = selectors.estimate_for(request.user, pk)
    all_versions = selectors.versions_of(found)
    by_number = {str(v.number): v for v in all_versions}
    after = by_number.get(request.GET.get("b", ""), all_versions[-1] if all_versions else None)
    before = by_number.get(
        request.GET.get("a", ""), all_versions[-2] if len(all_versions) > 1 else None
    )
    changes = [
        (change, _labelled(change.fields))
        for change in (arithmetic.diff(before.content, after.content) if before and after else [])
    ]
    return render(
        request,
        "budget/versions.html",
        {
            "estimate": found,
            "versions": all_versions,
            "before": before,
            "after": after,
            "changes": changes,
        },
    )


@role_required(*READERS)
def execution(request, pk):
    found = selectors.estimate_for(request.user, pk)
    if not found.is_frozen:
        raise Http404
    posts = has_role(request.user, *LEDGER_KEEPERS)
    lines = list(found.lines.all())
    form = None
    if posts:
        orders = selectors.postable_work_orders(found)
        form = forms.ExpenditureForm(request.POST or None, lines=lines, work_orders=orders)
    _writes(request, posts)

    def post():
        data = dict(form.cleaned_data)
        line = next(line for line in lines if str(line.pk) == data.pop("line"))
        order = data.pop("work_order", "")
        if order:
            return services.post_work_order(line, actor=request.user, work_order_id=order)
        return services.post_expenditure(line, actor=request.user, **data)

    done = form is not None and submit(
        request,
        form,
        post,
        done=_("The expenditure is posted."),
        then=_execution_url(found),
    )
    if done:
        return done
    result = selectors.execution(found)
    return render(
        request,
        "budget/execution.html",
        {
            "estimate": found,
            "result": result,
            "bars": selectors.chart(result.months),
            "chart_height": selectors.CHART_HEIGHT,
            "form": form,
            "posts": posts,
            "publishes": selectors.edits(request.user),
            "expenditures": selectors.expenditures_of(found, 50)
            if posts or selectors.reads_all(request.user)
            else [],
        },
        status=_status(form),
    )


@role_required(*LEDGER_KEEPERS)
@require_POST
def expenditure_cancel(request, pk):
    found = selectors.expenditure_for(request.user, pk)
    return act(
        request,
        lambda: services.cancel_expenditure(found, actor=request.user),
        done=_("The expenditure is cancelled."),
        then=reverse("budget:execution", args=[found.line.estimate_id]),
    )


@role_required(*READERS)
def execution_report(request, pk):
    """The report on the estimate's execution as a PDF, or an Excel workbook (``?format=xlsx``)."""
    found = selectors.estimate_for(request.user, pk)
    if not found.is_frozen:
        raise Http404
    built = report.build(found)
    name = f"ispolnenie-smety-{found.year}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            report.workbook(built),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = HttpResponse(report.render_pdf(built), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*READERS)
def justification(request, pk):
    """СНТ: the financial-economic justification of contributions (217-ФЗ ст. 14 ч. 8)."""
    found = selectors.estimate_for(request.user, pk)
    if services.association_kind() not in services.ONLINE_KINDS:
        raise Http404
    response = HttpResponse(report.justification_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="fin-ek-obosnovanie-{found.year}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
