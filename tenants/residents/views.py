"""Pages of the registry: the member's "My home" and the board's registry.

Thin views: reads come from ``selectors``, changes go through ``services`` (which audit them in
the same transaction). Access: anonymous → login, a role that does not open the page → 403,
an object the reader may not see → 404 (``get_object_or_404`` on a scoped queryset).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access.decorators import role_required
from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES, REGISTRY_EDITORS
from core.sensitive import sensitive_post
from core.ui.refusals import act, submit
from tenants.residents import selectors, services
from tenants.residents.forms import (
    AccountForm,
    BuildingForm,
    EraseForm,
    HolderChangeForm,
    OwnerAddForm,
    OwnerEditForm,
    OwnershipForm,
    PremisesForm,
    RegistryFilterForm,
    RenumberForm,
)
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    OwnerKind,
    Ownership,
    PersonalAccount,
    Premises,
    Residency,
)
from tenants.residents.services import PREMISES_FIELDS

registry_required = role_required(*REGISTRY_EDITORS)
PAGE_SIZE = 50


def _form_page(request, form, *, title, back, submit, intro="", status=200, **extra):
    context = {"form": form, "title": title, "back_url": back, "submit_label": submit}
    return render(
        request, "residents/form.html", {**context, "intro": intro, **extra}, status=status
    )


def _posted(request):
    """The submitted data (an empty POST is still a submission), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _premises_url(premises_id) -> str:
    if premises_id is None:
        return reverse("residents:registry-index")
    return reverse("residents:registry-premises", kwargs={"pk": premises_id})


# -- the member's home --------------------------------------------------------------------------


@role_required(*MEMBER_ROLES)
def my_home(request):
    """The premises the member owns or lives in, their shares, accounts and co-owners."""
    return render(request, "residents/my_home.html", {"homes": selectors.my_home(request.user)})


# -- the board's registry -----------------------------------------------------------------------


@sensitive_post
@registry_required
@require_http_methods(["GET", "POST"])
def registry_index(request):
    """Buildings and premises with search and filters; htmx asks for the results only.

    The search form is posted, never put in the address: a search by an owner's email or phone
    must not land in URLs, browser history or the server's access log. Filters without personal
    data (a building, a kind) also work as links (``?building=...``).
    """
    data = request.POST if request.method == "POST" else request.GET
    form = RegistryFilterForm(data or None)
    premises = selectors.premises_list(**form.filters())
    page = Paginator(premises, PAGE_SIZE).get_page(data.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": selectors.premises_rows(list(page.object_list)),
        "buildings": Building.objects.all(),
    }
    if request.htmx:
        return render(request, "residents/registry/_results.html", context)
    return render(request, "residents/registry/index.html", context)


registry_index.suspension_safe = True  # a posted search changes nothing: open when suspended


@sensitive_post
@registry_required
def building_add(request):
    form = BuildingForm(_posted(request))
    saved = submit(
        request,
        form,
        lambda: services.create_building(actor=request.user, **form.cleaned_data),
        done=_("The building was added."),
        then=lambda _building: reverse("residents:registry-index"),
    )
    return saved or _form_page(
        request,
        form,
        title=_("New building"),
        back=reverse("residents:registry-index"),
        submit=_("Add the building"),
    )


@sensitive_post
@registry_required
def building_edit(request, pk):
    building = get_object_or_404(Building, pk=pk)
    form = BuildingForm(_posted(request), initial=model_to_dict(building))
    saved = submit(
        request,
        form,
        lambda: services.update_building(building, actor=request.user, **form.cleaned_data),
        done=_("The building was saved."),
        then=lambda _result: f"{reverse('residents:registry-index')}?building={building.pk}",
    )
    return saved or _form_page(
        request,
        form,
        title=_("Building %(name)s") % {"name": building.name},
        back=reverse("residents:registry-index"),
        submit=_("Save"),
    )


@sensitive_post
@registry_required
def premises_add(request):
    initial = {"building": request.GET.get("building")} if request.GET.get("building") else {}
    form = PremisesForm(_posted(request), creating=True, initial=initial)
    saved = submit(
        request,
        form,
        lambda: services.create_premises(actor=request.user, **form.cleaned_data),
        done=_("The premises were registered."),
        then=lambda premises: _premises_url(premises.pk),
    )
    return saved or _form_page(
        request,
        form,
        title=_("New premises"),
        back=reverse("residents:registry-index"),
        submit=_("Register the premises"),
    )


@registry_required
def premises_detail(request, pk):
    premises = get_object_or_404(Premises.objects.select_related("building"), pk=pk)
    return render(
        request,
        "residents/premises.html",
        {"card": selectors.premises_card(premises), "keeps_registry": True},
    )


@sensitive_post
@registry_required
def premises_edit(request, pk):
    premises = get_object_or_404(Premises, pk=pk)
    form = PremisesForm(_posted(request), initial=model_to_dict(premises, PREMISES_FIELDS))
    saved = submit(
        request,
        form,
        lambda: services.update_premises(premises, actor=request.user, **form.cleaned_data),
        done=_("The premises were saved."),
        then=lambda _result: _premises_url(premises.pk),
    )
    return saved or _form_page(
        request,
        form,
        title=_("Edit premises %(number)s") % {"number": premises.number},
        back=_premises_url(premises.pk),
        submit=_("Save"),
    )


@sensitive_post
@registry_required
def account_add(request, pk):
    premises = get_object_or_404(Premises, pk=pk)
    form = AccountForm(_posted(request))
    saved = submit(
        request,
        form,
        lambda: services.open_account(
            number=form.cleaned_data["number"],
            holder=form.holder(),
            started_on=form.cleaned_data["started_on"],
            premises=premises,
            actor=request.user,
        ),
        done=_("The personal account was opened."),
        then=lambda _opened: _premises_url(premises.pk),
    )
    return saved or _form_page(
        request,
        form,
        title=_("New personal account for premises %(number)s") % {"number": premises.number},
        back=_premises_url(premises.pk),
        submit=_("Open the account"),
    )


@sensitive_post
@registry_required
def owner_add(request, pk):
    premises = get_object_or_404(Premises, pk=pk)
    form = OwnerAddForm(_posted(request), premises=premises)
    has_accounts = form.fields["account"].queryset.exists()

    def add():
        holding = services.current_holding(form.cleaned_data["account"])
        if holding is None:
            raise ValidationError({"account": _("This account has no current holder.")})
        return services.add_owner(
            holding,
            premises=premises,
            share=form.cleaned_data["share"],
            started_on=form.cleaned_data["started_on"],
            person=form.person(),
            organisation=form.organisation(),
            document=form.document(),
            membership=form.membership(),
            actor=request.user,
            joint=bool(form.cleaned_data.get("joint")),
        )

    saved = submit(
        request,
        form,
        add,
        done=_("The owner was added."),
        then=_premises_url(premises.pk),
        enabled=has_accounts,
    )
    return saved or _form_page(
        request,
        form,
        title=_("New owner of premises %(number)s") % {"number": premises.number},
        back=_premises_url(premises.pk),
        submit=_("Add the owner"),
        grouped=True,
        blocked=None
        if has_accounts
        else _("Open a personal account for these premises first: owners belong to its holder."),
    )


def _owner_initial(owner: Owner) -> dict:
    if owner.holding.erased_at:
        return {}
    initial = {"is_member": owner.is_member, "member_since": owner.member_since}
    if owner.kind == OwnerKind.PERSON:
        initial.update(
            full_name=owner.full_name,
            primary_phone=owner.primary_phone,
            primary_email=owner.primary_email,
        )
    else:
        initial.update(organisation_name=owner.organisation_name, inn=owner.inn, ogrn=owner.ogrn)
    return initial


@sensitive_post
@registry_required
def owner_edit(request, pk):
    owner = get_object_or_404(Owner.objects.select_related("holding__account"), pk=pk)
    back = _premises_url(owner.holding.account.premises_id)
    form = OwnerEditForm(_posted(request), owner_kind=owner.kind, initial=_owner_initial(owner))
    erased = owner.holding.erased_at is not None
    saved = submit(
        request,
        form,
        lambda: services.update_owner(
            owner,
            person=form.person(),
            organisation=form.organisation(),
            membership=form.membership(),
            actor=request.user,
        ),
        done=_("The owner was saved."),
        then=back,
        enabled=not erased,
    )
    return saved or _form_page(
        request,
        form,
        title=_("Owner"),
        back=back,
        submit=_("Save"),
        grouped=True,
        blocked=_("This owner's personal data was erased; it cannot be edited.")
        if erased
        else None,
    )


@sensitive_post
@registry_required
def ownership_edit(request, pk):
    ownership = get_object_or_404(Ownership, pk=pk)
    form = OwnershipForm(_posted(request), initial=OwnershipForm.initial_for(ownership))
    saved = submit(
        request,
        form,
        lambda: services.update_ownership(
            ownership,
            share=form.cleaned_data["share"],
            started_on=form.cleaned_data["started_on"],
            ended_on=form.cleaned_data.get("ended_on"),
            document=form.document(),
            actor=request.user,
            joint=bool(form.cleaned_data.get("joint")),
        ),
        done=_("The share was saved."),
        then=_premises_url(ownership.premises_id),
    )
    return saved or _form_page(
        request,
        form,
        title=_("Share and title document"),
        back=_premises_url(ownership.premises_id),
        submit=_("Save"),
        grouped=True,
    )


@sensitive_post
@registry_required
def holder_change(request, pk):
    account = get_object_or_404(PersonalAccount, pk=pk)
    form = HolderChangeForm(_posted(request))
    # One step for the page: a refused owner undoes the change of holder too (``submit`` runs
    # the call in a savepoint).
    saved = submit(
        request,
        form,
        lambda: _change_holder(request, account, form, form.cleaned_data["on"]),
        done=_("The holder was changed; the former one's data is kept."),
        then=_premises_url(account.premises_id),
    )
    return saved or _form_page(
        request,
        form,
        title=_("Change of holder, account %(number)s") % {"number": account.number},
        back=_premises_url(account.premises_id),
        submit=_("Change the holder"),
        intro=_(
            "The current holding ends on the given day with its owners' shares; the new holder's "
            "data is kept under a new key. The residents lose their access on that day unless "
            "you keep it."
        ),
    )


def _change_holder(request, account, form, on) -> None:
    holding = services.change_holder(
        account,
        holder=form.holder(),
        on=on,
        keep_residents=form.cleaned_data["keep_residents"],
        actor=request.user,
    )
    if form.cleaned_data["register_as_owner"] and account.premises_id:
        services.add_owner(
            holding,
            premises=account.premises,
            share=1,
            started_on=on,
            person=form.person(),
            actor=request.user,
        )


@sensitive_post
@registry_required
def account_renumber(request, pk):
    account = get_object_or_404(PersonalAccount, pk=pk)
    form = RenumberForm(_posted(request), initial={"number": account.number})
    saved = submit(
        request,
        form,
        lambda: services.renumber_account(account, actor=request.user, **form.cleaned_data),
        done=_("The account number was changed."),
        then=lambda _result: _premises_url(account.premises_id),
    )
    return saved or _form_page(
        request,
        form,
        title=_("Account number"),
        back=_premises_url(account.premises_id),
        submit=_("Save"),
    )


@sensitive_post
@registry_required
@require_http_methods(["GET", "POST"])
def holding_erase(request, pk):
    """Erase a former holder's personal data on request (152-ФЗ ст. 21), after confirmation."""
    holding = get_object_or_404(Holding.objects.select_related("account"), pk=pk)
    form = EraseForm(_posted(request))
    refusal = services.erasure_refusal(holding)
    saved = submit(
        request,
        form,
        lambda: services.erase_holder(holding, actor=request.user),
        done=_("The former holder's personal data was erased."),
        then=_premises_url(holding.account.premises_id),
        enabled=refusal is None,
    )
    if saved:
        return saved
    owners = holding.owners.count()
    return render(
        request,
        "residents/erase.html",
        {
            "holding": holding,
            "owners": owners,
            "form": form,
            "refusal": refusal,
            "back_url": _premises_url(holding.account.premises_id),
        },
        status=409 if refusal and request.method == "POST" else 200,
    )


@registry_required
@require_POST
def residency_end(request, pk):
    """End a resident's access to the premises today (from the premises page)."""
    residency = get_object_or_404(Residency, pk=pk)
    return act(
        request,
        lambda: services.end_residency(residency, actor=request.user),
        done=_("The resident's access has ended."),
        then=_premises_url(residency.premises_id),
    )


# -- accounts (board and accountant) ----------------------------------------------------------


@role_required(*ACCOUNT_READERS)
def accounts_index(request):
    search = (request.GET.get("q") or "").strip()[:40]
    accounts = selectors.accounts_list(search=search)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(selectors.with_current_holders(page.object_list))
    return render(
        request,
        "residents/accounts.html",
        {
            "page": page,
            "search": search,
            "query": urlencode({"q": search}) if search else "",
            "keeps_registry": selectors.keeps_registry(request.user),
        },
    )


@role_required(*ACCOUNT_READERS)
def account_detail(request, pk):
    account = get_object_or_404(
        selectors.accounts_visible_to(request.user).select_related("premises__building"), pk=pk
    )
    return render(
        request,
        "residents/account.html",
        {
            "view": selectors.account_card(account),
            "keeps_registry": selectors.keeps_registry(request.user),
        },
    )
