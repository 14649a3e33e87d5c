from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from core.access.roles import roles_of
from tenants.portal.selectors import dashboard_sections


@login_required
def dashboard(request):
    """The first page after login: one card per section the user's roles open."""
    return render(request, "portal/dashboard.html", {"sections": dashboard_sections(request.user)})


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    roles = serializers.ListField(child=serializers.CharField())
    association = serializers.CharField()


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """The signed-in user's id, roles and association."""
    data = {
        "id": request.user.pk,
        "roles": sorted(roles_of(request.user)),
        "association": request.tenant.slug,
    }
    return Response(MeSerializer(data).data)
