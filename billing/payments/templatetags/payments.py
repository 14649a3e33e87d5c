"""``{% pay_online_button access %}``: the "Pay online" button on a member's account page,
shown when the association takes online payments and the reader holds or lives on the
account (the board reading someone else's account sees none)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("payments/_pay_button.html", takes_context=True)
def pay_online_button(context, access):
    from billing.payments import selectors

    request = context.get("request")
    user = getattr(request, "user", None)
    show = False
    if user is not None and access is not None and selectors.shown_provider():
        if access.holding_ids is not None:
            # Read as a member: the ledger already scoped it to what they hold or live on.
            show = not access.former
        else:
            # Read as the board or the accountant: a button only on an account of their own.
            from django.http import Http404

            try:
                show = not selectors.payable_account(user, access.account.pk).former
            except Http404:
                show = False
    return {"show": show, "access": access}
