"""Invitation URLs, under ``invitations/`` of an association's portal.

No URL carries an email: the board's pages name invitations by id, the link by its token.
"""

from django.urls import path

from tenants.invitations import views

app_name = "invitations"

urlpatterns = [
    path("", views.invitation_list, name="list"),
    path("new/", views.invitation_create, name="create"),
    path("owner-options/", views.owner_options, name="owner-options"),
    path("<uuid:pk>/resend/", views.invitation_resend, name="resend"),
    path("<uuid:pk>/revoke/", views.invitation_revoke, name="revoke"),
    path("accept/<str:token>/", views.invitation_accept, name="accept"),
]
