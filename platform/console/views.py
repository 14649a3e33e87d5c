from django.shortcuts import render

from associations.models import Association
from core.access.decorators import operator_required


@operator_required
def index(request):
    """The operators' start page: the associations on the platform."""
    associations = Association.objects.exclude(schema_name="public").order_by("name")
    return render(request, "console/index.html", {"associations": associations})
