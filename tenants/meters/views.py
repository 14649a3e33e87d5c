"""Meters' pages: a member's one-page submission, a meter's history, the board's pages.

Thin: the services decide and refuse (``core.ui.refusals``), the selectors scope what a reader
sees (someone else's meter or premises is a 404).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from core.access.decorators import role_required
from core.access.roles import ACCOUNT_READERS, BOARD, MEMBER_ROLES
from core.ui.refusals import submit
from core.uploads import upload_too_large
from tenants.files.purposes import MB
from tenants.meters import forms, periods, selectors, services
from tenants.meters.models import ReadingSource

PAGE_SIZE = 50
#: The most a submission's body may carry (photos of several meters); one photo is limited by
#: its purpose (``purposes.READING_PHOTO``).
UPLOAD_LIMIT = 20 * MB


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _done_message(window: periods.Window) -> str:
    if window.late:
        return _(
            "Thank you. The window for this month has closed, so these readings count in "
            "%(period)s."
        ) % {"period": services.month_text(window.period)}
    return _(
        "Thank you: the readings for %(period)s are saved. You can correct them until %(until)s."
    ) % {
        "period": services.month_text(window.period),
        "until": date_format(window.closes_on, "j E"),
    }


def _readings_page(request, *, meters, template, context, source, then, board=False):
    """The submission form for ``meters`` (a member's own, or one premises' for the board)."""
    window = periods.current_window()
    rows = selectors.submission_rows(meters, window.period)
    if request.method == "POST":
        if upload_too_large(request, UPLOAD_LIMIT):
            form = forms.ReadingsForm({}, rows=rows, board=board)
            form.full_clean()
            form.add_error(
                None,
                _("The photos are too large: at most %(size)d MB together.")
                % {"size": UPLOAD_LIMIT // MB},
            )
            context = {**context, "form": form, "window": window}
            return render(request, template, context, status=413)
        return _post_readings(
            request,
            rows=rows,
            window=window,
            template=template,
            context=context,
            source=source,
            then=then,
            board=board,
        )
    form = forms.ReadingsForm(rows=rows, board=board)
    return render(request, template, {**context, "form": form, "window": window})


@csrf_protect
def _post_readings(request, *, rows, window, template, context, source, then, board):
    form = forms.ReadingsForm(request.POST, request.FILES, rows=rows, board=board)
    done = submit(
        request,
        form,
        lambda: services.submit_readings(
            actor=request.user,
            entries=[services.Entry(register, text) for register, text in form.entries()],
            source=source,
            confirm=form.cleaned_data.get("confirm", False),
            taken_on=form.cleaned_data.get("taken_on"),
            photos=form.photos(),
        ),
        done=_done_message(window),
        then=then,
    )
    if done:
        return done
    context = {**context, "form": form, "window": window, "asks_confirm": bool(form.errors)}
    return render(request, template, context, status=_status(form))


# -- members ------------------------------------------------------------------------------------


@csrf_exempt  # checked by ``_post_readings`` once the upload limit is in place
@role_required(*MEMBER_ROLES)
def submit_page(request):
    """A member's meters on one page: last month's figure, the consumption as they type."""
    return _readings_page(
        request,
        meters=selectors.home_meters(request.user),
        template="meters/submit.html",
        context={},
        source=ReadingSource.MEMBER,
        then=reverse("meters:submit"),
    )


@role_required(*ACCOUNT_READERS, *MEMBER_ROLES)
@require_GET
def meter_detail(request, pk):
    meter = selectors.meter_for(request.user, pk)
    history = selectors.meter_history(meter)
    series = selectors.consumption_by_period(history)
    context = {
        "meter": meter,
        "history": history,
        "bars": selectors.chart(series),
        "keeps": selectors.keeps_meters(request.user),
        "board_view": selectors.reads_all(request.user),
    }
    return render(request, "meters/meter.html", context)


# -- the board ----------------------------------------------------------------------------------


@role_required(*ACCOUNT_READERS)
@require_GET
def board_index(request):
    buildings = list(selectors.buildings_with_common_meters())
    building = next((b for b in buildings if str(b.pk) == request.GET.get("building")), None)
    search = request.GET.get("number", "").strip()[:20]
    page = Paginator(
        selectors.premises_with_meters(building=building, search=search), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    window = periods.current_window()
    submitted = selectors.submitted_counts([p.pk for p in page.object_list], window.period)
    for item in page.object_list:
        item.submitted = submitted.get(item.pk, 0)
    context = {
        "page": page,
        "buildings": buildings,
        "building": building,
        "number": search,
        "window": window,
    }
    return render(request, "meters/board.html", context)


def _place_page(request, *, premises=None, building=None):
    window = periods.current_window()
    meters = list(selectors.meters_of(premises=premises, building=building))
    submitted = selectors.submitted_meter_ids([m.pk for m in meters], window.period)
    context = {
        "premises": premises,
        "building": building,
        "meters": meters,
        "submitted": submitted,
        "window": window,
        "keeps": selectors.keeps_meters(request.user),
    }
    return render(request, "meters/place.html", context)


@role_required(*ACCOUNT_READERS)
@require_GET
def board_premises(request, pk):
    return _place_page(request, premises=selectors.premises_for_board(request.user, pk))


@role_required(*ACCOUNT_READERS)
@require_GET
def board_building(request, pk):
    return _place_page(request, building=selectors.building_for_board(request.user, pk))


def _place_url(*, premises=None, building=None) -> str:
    if premises is not None:
        return reverse("meters:board-premises", kwargs={"pk": premises.pk})
    return reverse("meters:board-building", kwargs={"pk": building.pk})


def _add(request, *, premises=None, building=None):
    form = forms.MeterForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: services.add_meter(
            actor=request.user,
            premises=premises,
            building=building,
            initial_values=form.initial_values(),
            **form.meter_fields(),
        ),
        done=_("The meter has been added."),
        then=_place_url(premises=premises, building=building),
    )
    context = {"form": form, "premises": premises, "building": building, "title": _("New meter")}
    return done or render(request, "meters/form.html", context, status=_status(form))


@role_required(*BOARD)
def meter_add(request, pk):
    return _add(request, premises=selectors.premises_for_board(request.user, pk))


@role_required(*BOARD)
def meter_add_common(request, pk):
    return _add(request, building=selectors.building_for_board(request.user, pk))


def _meter_form_page(request, meter, form, title, status=200):
    context = {
        "form": form,
        "meter": meter,
        "premises": meter.premises,
        "building": meter.building,
        "title": title,
    }
    return render(request, "meters/form.html", context, status=status)


@role_required(*BOARD)
def meter_edit(request, pk):
    meter = selectors.meter_for(request.user, pk)
    initial = {name: getattr(meter, name) for name in services.EDITABLE}
    form = forms.EditMeterForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.update_meter(meter, actor=request.user, **form.cleaned_data),
        done=_("The meter has been saved."),
        then=reverse("meters:meter", kwargs={"pk": meter.pk}),
    )
    return done or _meter_form_page(request, meter, form, _("Edit meter"), _status(form))


@role_required(*BOARD)
def meter_replace(request, pk):
    meter = selectors.meter_for(request.user, pk)
    initial = {
        "tariff": meter.tariff,
        "digits": meter.digits,
        "decimals": meter.decimals,
        "place": meter.place,
        "verification_interval_years": meter.verification_interval_years,
    }
    form = forms.ReplaceMeterForm(request.POST or None, meter=meter, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.replace_meter(
            meter,
            actor=request.user,
            on=form.cleaned_data["on"],
            final_values=form.final_values(),
            initial_values=form.initial_values(),
            **form.new_meter(),
        ),
        done=_("The meter has been replaced."),
        then=lambda new: reverse("meters:meter", kwargs={"pk": new.pk}),
    )
    return done or _meter_form_page(request, meter, form, _("Replace meter"), _status(form))


@role_required(*BOARD)
def meter_close(request, pk):
    meter = selectors.meter_for(request.user, pk)
    form = forms.CloseMeterForm(request.POST or None, meter=meter)
    done = submit(
        request,
        form,
        lambda: services.close_meter(
            meter,
            actor=request.user,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            final_values=form.final_values(),
        ),
        done=_("The meter has been closed."),
        then=reverse("meters:meter", kwargs={"pk": meter.pk}),
    )
    return done or _meter_form_page(request, meter, form, _("Close meter"), _status(form))


@csrf_exempt  # checked by ``_post_readings`` once the upload limit is in place
@role_required(*BOARD)
def board_enter(request, pk):
    """The board enters a member's readings (paper, phone): marked as entered by the board."""
    premises = selectors.premises_for_board(request.user, pk)
    meters = selectors.meters_of(premises=premises).filter(closed_on__isnull=True)
    return _readings_page(
        request,
        meters=meters,
        template="meters/enter.html",
        context={"premises": premises},
        source=ReadingSource.BOARD,
        then=_place_url(premises=premises),
        board=True,
    )


@csrf_exempt  # checked by ``_post_readings`` once the upload limit is in place
@role_required(*BOARD)
def board_enter_common(request, pk):
    building = selectors.building_for_board(request.user, pk)
    meters = selectors.meters_of(building=building).filter(closed_on__isnull=True)
    return _readings_page(
        request,
        meters=meters,
        template="meters/enter.html",
        context={"building": building},
        source=ReadingSource.BOARD,
        then=_place_url(building=building),
        board=True,
    )
