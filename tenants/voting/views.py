"""Voting pages."""

from __future__ import annotations

from django.shortcuts import render

from core.access.decorators import role_required
from core.access.roles import BOARD, MEMBER_ROLES
from tenants.voting import selectors


@role_required(*MEMBER_ROLES, *BOARD)
def index(request):
    meetings = selectors.meetings_visible_to(request.user).select_related("building")
    return render(request, "voting/index.html", {"meetings": meetings})


@role_required(*MEMBER_ROLES, *BOARD)
def meeting(request, pk):
    found = selectors.meeting_for(request.user, pk)
    return render(request, "voting/meeting.html", {"meeting": found})
