"""A new portal's welcome URLs (``config.urls_tenant``, under ``welcome/``).

No URL carries personal data: the hand-over names its one-time token only.
"""

from django.urls import path

from signup import views

app_name = "signup"

urlpatterns = [
    path("start/<str:token>/", views.handover, name="handover"),
    path("first-steps/", views.first_steps, name="first-steps"),
]
