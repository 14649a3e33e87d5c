"""The budget pages and API."""

app_name = "budget"

urlpatterns: list = []
