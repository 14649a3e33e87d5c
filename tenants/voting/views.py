"""Voting pages: the list of meetings, a meeting's notice and agenda, a voter's ballot and vote
receipt, and the board's pages (setting up, register, paper decisions, results, the chain).

Thin: the services decide and refuse (``core.ui.refusals``), the selectors scope what a reader
sees (someone else's meeting, line or entry is a 404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.access.decorators import role_required
from core.access.roles import BOARD, MEMBER_ROLES
from core.sensitive import sensitive_post
from core.ui.refusals import act, attempt, submit
from core.uploads import upload_too_large
from tenants.files.purposes import MB
from tenants.voting import forms, rules, selectors, services
from tenants.voting.models import MeetingStatus, Question

READERS = (*MEMBER_ROLES, *BOARD)
UPLOAD_LIMIT = 12 * MB


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _meeting_url(meeting) -> str:
    return reverse("voting:meeting", kwargs={"pk": meeting.pk})


def _board_meeting(request, pk):
    if not selectors.runs_meetings(request.user):
        raise PermissionDenied
    return selectors.meeting_for(request.user, pk)


@role_required(*READERS)
def index(request):
    meetings = selectors.meetings_visible_to(request.user).select_related("building")
    return render(
        request,
        "voting/index.html",
        {"meetings": meetings, "board": selectors.runs_meetings(request.user)},
    )


@role_required(*BOARD)
def new(request):
    kinds = rules.meeting_kinds(selectors.association_kind())
    form = forms.MeetingSetupForm(request.POST or None, kinds=kinds)
    done = submit(
        request,
        form,
        lambda: services.create_meeting(actor=request.user, **form.cleaned_data),
        done=_("The meeting is set up as a draft: put its questions on the agenda."),
        then=_meeting_url,
    )
    return done or render(request, "voting/new.html", {"form": form}, status=_status(form))


@role_required(*BOARD)
def edit(request, pk):
    """Change a draft's form, dates, building, place or charter basis (its kind stays)."""
    found = _board_meeting(request, pk)
    if found.status != MeetingStatus.DRAFT:
        raise Http404
    kinds = [found.kind]
    initial = {
        "kind": found.kind,
        "form": found.form,
        "title": found.title,
        "starts_at": timezone_local(found.starts_at),
        "ends_at": timezone_local(found.ends_at),
        "building": found.building_id,
        "place": found.place,
        "online_basis": found.online_basis,
    }
    form = forms.MeetingSetupForm(request.POST or None, kinds=kinds, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.update_meeting(
            found,
            actor=request.user,
            **{k: v for k, v in form.cleaned_data.items() if k != "kind"},
        ),
        done=_("The draft is saved."),
        then=_meeting_url(found),
    )
    return done or render(
        request, "voting/edit.html", {"meeting": found, "form": form}, status=_status(form)
    )


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def timezone_local(moment):
    from django.utils import timezone

    return timezone.localtime(moment)


@role_required(*READERS)
def meeting(request, pk):
    found = selectors.meeting_for(request.user, pk)
    board = selectors.runs_meetings(request.user)
    question_form = None
    if board and found.status == MeetingStatus.DRAFT:
        question_form = forms.QuestionForm(rule=found.rule)
    lines = selectors.my_lines(request.user, found) if found.status != MeetingStatus.DRAFT else []
    conflicts = (
        selectors.joint_conflicts(found)
        if board and found.status in (MeetingStatus.VOTING, MeetingStatus.CLOSED)
        else []
    )
    return render(
        request,
        "voting/meeting.html",
        {
            "meeting": found,
            "rule": found.rule,
            "questions": found.questions.order_by("number"),
            "board": board,
            "question_form": question_form,
            "lines": lines,
            "conflicts": conflicts,
            "results_due": services.results_due(found),
            "today": timezone_local(timezone_now()).date(),
        },
    )


@role_required(*READERS)
def decisions(request, pk):
    """After the results: each premises' counted decision per question, no names (ЖК РФ
    ст. 143.1; the signed decisions themselves on a written request to the board)."""
    found = selectors.meeting_for(request.user, pk)
    if found.status != MeetingStatus.CLOSED:
        raise Http404
    if not selectors.reads_decisions(request.user, found):
        raise PermissionDenied
    return render(
        request,
        "voting/decisions.html",
        {
            "meeting": found,
            "rows": selectors.decisions_list(found),
            "questions": found.questions.order_by("number"),
        },
    )


@require_POST
@role_required(*BOARD)
def publish_results(request, pk):
    """One click: the protocol with the results goes to the documents (members and owners)."""
    found = _board_meeting(request, pk)
    return act(
        request,
        lambda: services.publish_results(found, actor=request.user),
        done=_("The protocol with the results is published in the documents."),
        then=_meeting_url(found),
    )


@require_POST
@role_required(*BOARD)
def joint_resolve(request, pk, voter):
    """The counting commission chooses one of the joint owners' different decisions."""
    found = _board_meeting(request, pk)
    line = get_object_or_404(found.voters, pk=voter)
    return act(
        request,
        lambda: services.resolve_joint_conflict(
            found, actor=request.user, voter=line, entry_id=request.POST.get("entry", "")
        ),
        done=_("The decision that counts is chosen."),
        then=_meeting_url(found) + "#conflicts",
    )


@role_required(*BOARD)
def question_add(request, pk):
    found = _board_meeting(request, pk)
    form = forms.QuestionForm(request.POST or None, rule=found.rule)
    done = submit(
        request,
        form,
        lambda: services.add_question(
            found,
            actor=request.user,
            text=form.cleaned_data["text"],
            threshold=form.cleaned_data["threshold"],
            gardeners_vote=form.cleaned_data.get("gardeners_vote", False),
        ),
        done=_("The question is on the agenda."),
        then=_meeting_url(found),
    )
    return done or render(
        request,
        "voting/question.html",
        {"meeting": found, "form": form},
        status=_status(form),
    )


@require_POST
@role_required(*BOARD)
def question_remove(request, pk, question):
    found = _board_meeting(request, pk)
    item = get_object_or_404(Question, meeting=found, pk=question)
    return act(
        request,
        lambda: services.remove_question(item, actor=request.user),
        done=_("The question is taken off the agenda."),
        then=_meeting_url(found),
    )


def _step(action, done):
    @require_POST
    @role_required(*BOARD)
    def view(request, pk):
        found = _board_meeting(request, pk)
        return act(
            request,
            lambda: action(found, actor=request.user),
            done=str(done),
            then=_meeting_url(found),
        )

    return view


publish = _step(services.publish_notice, _("The notice is published and sent to the voters."))
open_voting = _step(services.open_voting, _("Voting has started: the register is frozen."))
close = _step(services.close_meeting, _("Voting is closed: the results are published."))


# -- the voter ----------------------------------------------------------------------------------


@role_required(*READERS)
def ballot(request, pk):
    """A voter's ballot: for each of their register lines, for/against/abstain per question."""
    found = selectors.meeting_for(request.user, pk)
    if found.status == MeetingStatus.DRAFT:
        raise Http404
    lines = selectors.my_lines(request.user, found)
    questions = found.questions.order_by("number")
    data = request.POST if request.method == "POST" else None
    form = forms.BallotForm(data, lines=lines, questions=questions)
    if request.method == "POST" and form.is_valid():
        chosen = form.choices_by_line()
        if not chosen:
            form.add_error(None, _("Choose for, against or abstain on at least one question."))
        else:
            outcome = attempt(
                lambda: services.cast_many(
                    actor=request.user,
                    submissions=[
                        services.Submission(line.voter, choices, line.proxy)
                        for line, choices in chosen
                    ],
                )
            )
            if not outcome.refused:
                entries = outcome.result
                request.session["voting_receipts"] = [e.seq for e in entries]
                return redirect(
                    reverse("voting:receipt", kwargs={"pk": found.pk, "seq": entries[-1].seq})
                )
            form.add_error(None, outcome.message)
    return render(
        request,
        "voting/ballot.html",
        {"meeting": found, "form": form, "lines": lines, "open": _accepts_online(found)},
        status=_status(form),
    )


def _accepts_online(meeting) -> bool:
    from django.utils import timezone

    return (
        meeting.status == MeetingStatus.VOTING
        and meeting.starts_at <= timezone.now() <= meeting.ends_at
    )


@role_required(*READERS)
def receipt(request, pk, seq):
    """The vote receipt of one of the reader's own entries."""
    found = selectors.meeting_for(request.user, pk)
    entry = selectors.entry_for(request.user, found, seq)
    questions = {q.pk: q for q in found.questions.all()}
    ballots = sorted(entry.ballots.all(), key=lambda b: questions[b.question_id].number)
    return render(
        request,
        "voting/receipt.html",
        {
            "meeting": found,
            "entry": entry,
            "vote_receipt": selectors.vote_receipt(entry),
            "ballots": [(questions[b.question_id], b) for b in ballots],
            "history": selectors.entries_of(request.user, found),
        },
    )


# -- results ------------------------------------------------------------------------------------


@role_required(*READERS)
def results(request, pk):
    found = selectors.meeting_for(request.user, pk)
    context = {
        "meeting": found,
        "visible": False,
        "closed": found.status == MeetingStatus.CLOSED,
    }
    if found.status in (MeetingStatus.VOTING, MeetingStatus.CLOSED) and (
        selectors.results_visible_to(request.user, found)
    ):
        tally = selectors.tally(found)
        context.update(
            visible=True,
            tally=tally,
            rows=selectors.result_rows(found, tally),
            binding=True,
        )
        if not found.online_binds:
            opinions = selectors.tally(found, opinions=True)
            if opinions.participants:
                context.update(
                    opinions=opinions, opinion_rows=selectors.result_rows(found, opinions)
                )
    return render(request, "voting/results.html", context)


# -- the board ----------------------------------------------------------------------------------


@role_required(*BOARD)
def register(request, pk):
    found = _board_meeting(request, pk)
    if found.status in (MeetingStatus.DRAFT, MeetingStatus.NOTICE):
        rows = []
    else:
        rows = selectors.register_rows(found)
    return render(request, "voting/register.html", {"meeting": found, "rows": rows})


@csrf_exempt  # checked by ``_post_paper`` once the upload limit is in place
@role_required(*BOARD)
def paper(request, pk):
    """The board enters a signed written decision with its scan, or a vote at the session."""
    found = _board_meeting(request, pk)
    if found.status != MeetingStatus.VOTING:
        raise Http404
    voters = list(found.voters.order_by("position"))
    questions = found.questions.order_by("number")
    if request.method == "POST":
        if upload_too_large(request, UPLOAD_LIMIT):
            form = forms.PaperDecisionForm({}, voters=voters, questions=questions)
            form.full_clean()
            form.add_error(None, _("The scan is too large: at most %(size)d MB.") % {"size": 10})
            return render(
                request, "voting/paper.html", {"meeting": found, "form": form}, status=413
            )
        return _post_paper(request, found, voters, questions)
    form = forms.PaperDecisionForm(voters=voters, questions=questions)
    return render(request, "voting/paper.html", {"meeting": found, "form": form})


@csrf_protect
def _post_paper(request, found, voters, questions):
    form = forms.PaperDecisionForm(request.POST, request.FILES, voters=voters, questions=questions)
    done = submit(
        request,
        form,
        lambda: services.enter_paper(
            actor=request.user,
            voter=form.voter_object(),
            choices=form.chosen(),
            scan_upload=form.cleaned_data.get("scan"),
            source=form.cleaned_data["source"],
        ),
        done=_("The decision is entered."),
        then=reverse("voting:paper", kwargs={"pk": found.pk}),
    )
    if done:
        return done
    return render(
        request, "voting/paper.html", {"meeting": found, "form": form}, status=_status(form)
    )


@role_required(*BOARD)
def chain_page(request, pk):
    """The chain's verification: where it breaks, if it does, and its links (hashes only)."""
    found = _board_meeting(request, pk)
    verification = selectors.verify(found)
    entries = found.chain.order_by("-seq")[:200]
    return render(
        request,
        "voting/chain.html",
        {"meeting": found, "verification": verification, "entries": entries},
    )


# -- powers of attorney -------------------------------------------------------------------------


@sensitive_post
@csrf_exempt  # checked by ``_post_proxy`` once the upload limit is in place
@role_required(*READERS)
def proxy(request, pk):
    """Upload a power of attorney for one of one's register lines (the board: for any line)."""
    found = selectors.meeting_for(request.user, pk)
    if found.status not in (MeetingStatus.VOTING, MeetingStatus.NOTICE):
        raise Http404
    if selectors.runs_meetings(request.user):
        voters = list(found.voters.order_by("position"))
    else:
        voters = [line.voter for line in selectors.my_lines(request.user, found) if not line.proxy]
    context = {"meeting": found, "has_lines": bool(voters)}
    if request.method == "POST":
        if upload_too_large(request, UPLOAD_LIMIT):
            form = forms.ProxyForm({}, voters=voters)
            form.full_clean()
            form.add_error(None, _("The scan is too large: at most %(size)d MB.") % {"size": 10})
            return render(request, "voting/proxy.html", {**context, "form": form}, status=413)
        return _post_proxy(request, found, voters, context)
    form = forms.ProxyForm(voters=voters)
    return render(request, "voting/proxy.html", {**context, "form": form})


@csrf_protect
def _post_proxy(request, found, voters, context):
    form = forms.ProxyForm(request.POST, request.FILES, voters=voters)
    done = submit(
        request,
        form,
        lambda: services.submit_proxy(
            actor=request.user,
            voter=form.voter_object(),
            document_upload=form.cleaned_data["document"],
            representative_email=form.cleaned_data.get("representative_email") or "",
        ),
        done=_("The power of attorney is sent to the board."),
        then=_meeting_url(found),
    )
    return done or render(
        request, "voting/proxy.html", {**context, "form": form}, status=_status(form)
    )


@sensitive_post
@csrf_exempt  # checked by ``_post_representation`` once the upload limit is in place
@role_required(*READERS)
def represent(request, pk):
    """A login represents an organisation that owns premises on the register: its head or by
    its power of attorney; the board accepts or refuses."""
    found = selectors.meeting_for(request.user, pk)
    if found.status not in (MeetingStatus.VOTING, MeetingStatus.NOTICE):
        raise Http404
    voters = list(services.organisation_lines(found).order_by("position"))
    context = {"meeting": found, "has_lines": bool(voters)}
    if request.method == "POST":
        if upload_too_large(request, UPLOAD_LIMIT):
            form = forms.RepresentationForm({}, voters=voters)
            form.full_clean()
            form.add_error(None, _("The scan is too large: at most %(size)d MB.") % {"size": 10})
            return render(request, "voting/represent.html", {**context, "form": form}, status=413)
        return _post_representation(request, found, voters, context)
    form = forms.RepresentationForm(voters=voters)
    return render(request, "voting/represent.html", {**context, "form": form})


@csrf_protect
def _post_representation(request, found, voters, context):
    form = forms.RepresentationForm(request.POST, request.FILES, voters=voters)
    done = submit(
        request,
        form,
        lambda: services.submit_representation(
            actor=request.user,
            voter=form.voter_object(),
            basis=form.cleaned_data["basis"],
            document_upload=form.cleaned_data["document"],
        ),
        done=_(
            "The document is sent to the board: once it accepts it, you vote for the organisation."
        ),
        then=_meeting_url(found),
    )
    return done or render(
        request, "voting/represent.html", {**context, "form": form}, status=_status(form)
    )


@role_required(*BOARD)
def proxies(request, pk):
    found = _board_meeting(request, pk)
    return render(
        request,
        "voting/proxies.html",
        {"meeting": found, "proxies": selectors.proxies_of(found)},
    )


@require_POST
@role_required(*BOARD)
def proxy_decide(request, pk, proxy_pk):
    found = _board_meeting(request, pk)
    item = get_object_or_404(found.proxies, pk=proxy_pk)
    form = forms.ProxyDecisionForm(request.POST)
    form.is_valid()
    accept = bool(form.cleaned_data.get("accept"))
    return act(
        request,
        lambda: services.decide_proxy(
            item, actor=request.user, accept=accept, reason=form.cleaned_data.get("reason", "")
        ),
        done=_("The power of attorney is accepted.")
        if accept
        else _("The power of attorney is refused."),
        then=reverse("voting:proxies", kwargs={"pk": found.pk}),
    )


# -- documents ----------------------------------------------------------------------------------


def _pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@role_required(*READERS)
def protocol_pdf(request, pk):
    """The protocol: the board's with the list of those who took part (a draft while voting),
    members' once the meeting closed, without names."""
    from tenants.voting import protocol

    found = selectors.meeting_for(request.user, pk)
    board = selectors.runs_meetings(request.user)
    if found.status not in (MeetingStatus.VOTING, MeetingStatus.CLOSED) or not (
        board or found.status == MeetingStatus.CLOSED
    ):
        raise Http404
    data = protocol.protocol_pdf(found, with_participants=board)
    return _pdf_response(data, f"protocol-{found.number}.pdf")


@role_required(*BOARD)
def decision_forms(request, pk):
    """Printable decision forms, one page per register line, to hand out with the notice."""
    from tenants.voting import protocol

    found = _board_meeting(request, pk)
    if found.status not in (MeetingStatus.NOTICE, MeetingStatus.VOTING):
        raise Http404
    return _pdf_response(protocol.decision_forms_pdf(found), f"decisions-{found.number}.pdf")


# -- quick polls --------------------------------------------------------------------------------


def _poll_for(request, pk):
    return get_object_or_404(selectors.polls_visible_to(request.user), pk=pk)


@role_required(*READERS)
def polls(request):
    return render(
        request,
        "voting/polls.html",
        {
            "polls": selectors.polls_visible_to(request.user),
            "board": selectors.runs_meetings(request.user),
        },
    )


@role_required(*BOARD)
def poll_new(request):
    form = forms.PollSetupForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: services.create_poll(
            actor=request.user,
            question=form.cleaned_data["question"],
            options=form.option_texts(),
            closes_at=form.cleaned_data["closes_at"],
            basis=form.cleaned_data["basis"],
        ),
        done=_("The poll is open."),
        then=lambda poll: reverse("voting:poll", kwargs={"pk": poll.pk}),
    )
    return done or render(request, "voting/poll_new.html", {"form": form}, status=_status(form))


@role_required(*READERS)
def poll(request, pk):
    from django.utils import timezone

    from tenants.residents.models import Premises

    found = _poll_for(request, pk)
    owned = Premises.objects.filter(
        pk__in=selectors.premises_owned_by(request.user)
    ).select_related("building")
    form = forms.PollAnswerForm(
        request.POST if request.method == "POST" else None, poll=found, premises=list(owned)
    )
    done = submit(
        request,
        form,
        lambda: services.answer_poll(
            actor=request.user,
            poll=found,
            option_id=form.cleaned_data["option"],
            premises_id=_uuid(form.cleaned_data.get("premises")),
        ),
        done=_("Thank you: your answer is counted. You can change it until the poll closes."),
        then=reverse("voting:poll", kwargs={"pk": found.pk}),
    )
    if done:
        return done
    open_now = found.closed_at is None and timezone.now() < found.closes_at
    return render(
        request,
        "voting/poll.html",
        {
            "poll": found,
            "form": form,
            "rows": selectors.poll_rows(found),
            "mine": selectors.my_poll_votes(request.user, found),
            "open": open_now,
            "board": selectors.runs_meetings(request.user),
            "may_answer": found.basis == "login" or bool(owned),
        },
        status=_status(form),
    )


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@require_POST
@role_required(*BOARD)
def poll_close(request, pk):
    found = _poll_for(request, pk)
    return act(
        request,
        lambda: services.close_poll(found, actor=request.user),
        done=_("The poll is closed."),
        then=reverse("voting:poll", kwargs={"pk": found.pk}),
    )


@role_required(*BOARD)
def bundle(request, pk):
    """The closed meeting's documents for ГИС ЖКХ as one ZIP (protocol, register, scans, chain)."""
    from tenants.voting import protocol

    found = _board_meeting(request, pk)
    if found.status != MeetingStatus.CLOSED:
        raise Http404
    response = HttpResponse(protocol.gis_bundle(found), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="meeting-{found.number}.zip"'
    return response


# -- demands for an extraordinary meeting --------------------------------------------------------


def _demand_kinds() -> list[str]:
    from django.utils import timezone

    from tenants.voting.models import DemandSetting

    kind = selectors.association_kind()
    by_charter = set(DemandSetting.objects.values_list("kind", flat=True))
    return [
        k
        for k in rules.meeting_kinds(kind)
        if rules.rule_for(kind, k, timezone.localdate()).demand_share is not None or k in by_charter
    ]


@role_required(*BOARD)
def demand_settings(request):
    """The board records the charter's threshold for demanding a meeting."""
    from tenants.voting.models import DemandSetting

    kinds = services.charter_demand_kinds()
    form = forms.DemandSettingForm(request.POST or None, kinds=kinds)
    done = submit(
        request,
        form,
        lambda: services.set_demand_threshold(actor=request.user, **form.cleaned_data),
        done=_("The charter's threshold is recorded."),
        then=reverse("voting:demand-settings"),
    )
    return done or render(
        request,
        "voting/demand_settings.html",
        {
            "form": form,
            "kinds": kinds,
            "settings": DemandSetting.objects.filter(kind__in=kinds).order_by("kind"),
        },
        status=_status(form),
    )


@role_required(*READERS)
def demands(request):
    return render(
        request,
        "voting/demands.html",
        {
            "demands": selectors.demands_visible_to(request.user),
            "may_start": bool(_demand_kinds()),
            "board": selectors.runs_meetings(request.user),
            "today": timezone_local(timezone_now()).date(),
        },
    )


@sensitive_post
@role_required(*READERS)
def demand_new(request):
    form = forms.DemandForm(request.POST or None, kinds=_demand_kinds())
    done = submit(
        request,
        form,
        lambda: services.create_demand(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            agenda=form.cleaned_data["agenda"],
            building=form.cleaned_data.get("building"),
        ),
        done=_("Your demand is signed and open for others to sign."),
        then=lambda demand: reverse("voting:demand", kwargs={"pk": demand.pk}),
    )
    return done or render(request, "voting/demand_new.html", {"form": form}, status=_status(form))


@role_required(*READERS)
def demand(request, pk):
    from tenants.voting.shares import percent, readable

    found = get_object_or_404(selectors.demands_visible_to(request.user), pk=pk)
    progress = services.demand_progress(found)
    return render(
        request,
        "voting/demand.html",
        {
            "demand": found,
            "progress": progress,
            "signed_text": readable(progress["signed"]),
            "total_text": readable(progress["total"]),
            "signed_percent": percent(progress["signed"], progress["total"]),
            "needed_percent": percent(progress["needed"] or 0, progress["total"]),
            "signed_by_me": found.signatures.filter(user=request.user).exists(),
            "signatures": found.signatures.count(),
            "board": selectors.runs_meetings(request.user),
            "today": timezone_local(timezone_now()).date(),
        },
    )


@require_POST
@role_required(*READERS)
def demand_sign(request, pk):
    found = get_object_or_404(selectors.demands_visible_to(request.user), pk=pk)
    return act(
        request,
        lambda: services.sign_demand(found, actor=request.user),
        done=_("You have signed the demand."),
        then=reverse("voting:demand", kwargs={"pk": found.pk}),
    )


@require_POST
@role_required(*BOARD)
def demand_convene(request, pk):
    """The board answers a demand: a draft extraordinary meeting of its kind, linked to it."""
    from django.utils import timezone

    found = get_object_or_404(selectors.demands_visible_to(request.user), pk=pk)
    rule = found.rule
    now = timezone.now()

    def make():
        meeting = services.create_meeting(
            actor=request.user,
            kind=found.kind,
            form=rules.MeetingForm.ABSENTEE,
            title=_("Extraordinary meeting on the demand of owners (members)"),
            starts_at=now + timezone.timedelta(days=rule.notice_days + 1),
            ends_at=now + timezone.timedelta(days=rule.notice_days + 15),
            building=found.building,
        )
        services.convene(found, meeting, actor=request.user)
        return meeting

    return act(
        request,
        make,
        done=_("A draft meeting is set up: put the demand's questions on its agenda."),
        then=_meeting_url,
        refused=reverse("voting:demand", kwargs={"pk": found.pk}),
    )
