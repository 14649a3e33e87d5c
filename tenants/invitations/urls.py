"""Invitation URLs, under ``invitations/`` of an association's portal.

No URL carries an email: the board's pages name invitations by id, the link by its token.
"""

from django.urls import path

from tenants.invitations import views

urlpatterns = [
    path("", views.invitation_list, name="invitation-list"),
    path("new/", views.invitation_create, name="invitation-create"),
    path("owner-options/", views.owner_options, name="invitation-owner-options"),
    path("<uuid:pk>/resend/", views.invitation_resend, name="invitation-resend"),
    path("<uuid:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("accept/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
