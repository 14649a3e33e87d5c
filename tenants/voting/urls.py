"""Voting pages under ``voting/`` and their API under ``api/v1/voting/``."""

from django.urls import path

from tenants.voting import api, views

app_name = "voting"

urlpatterns = [
    path("voting/", views.index, name="index"),
    path("voting/new/", views.new, name="new"),
    path("voting/demands/", views.demands, name="demands"),
    path("voting/demands/new/", views.demand_new, name="demand-new"),
    path("voting/demands/settings/", views.demand_settings, name="demand-settings"),
    path("voting/demands/<uuid:pk>/", views.demand, name="demand"),
    path("voting/demands/<uuid:pk>/sign/", views.demand_sign, name="demand-sign"),
    path("voting/demands/<uuid:pk>/convene/", views.demand_convene, name="demand-convene"),
    path("voting/polls/", views.polls, name="polls"),
    path("voting/polls/new/", views.poll_new, name="poll-new"),
    path("voting/polls/<uuid:pk>/", views.poll, name="poll"),
    path("voting/polls/<uuid:pk>/close/", views.poll_close, name="poll-close"),
    path("voting/<uuid:pk>/", views.meeting, name="meeting"),
    path("voting/<uuid:pk>/edit/", views.edit, name="edit"),
    path("voting/<uuid:pk>/questions/", views.question_add, name="question-add"),
    path(
        "voting/<uuid:pk>/questions/<uuid:question>/remove/",
        views.question_remove,
        name="question-remove",
    ),
    path("voting/<uuid:pk>/publish/", views.publish, name="publish"),
    path("voting/<uuid:pk>/open/", views.open_voting, name="open"),
    path("voting/<uuid:pk>/close/", views.close, name="close"),
    path("voting/<uuid:pk>/publish-results/", views.publish_results, name="publish-results"),
    path("voting/<uuid:pk>/ballot/", views.ballot, name="ballot"),
    path("voting/<uuid:pk>/receipts/<int:seq>/", views.receipt, name="receipt"),
    path("voting/<uuid:pk>/results/", views.results, name="results"),
    path("voting/<uuid:pk>/decisions/", views.decisions, name="decisions"),
    path("voting/<uuid:pk>/register/", views.register, name="register"),
    path("voting/<uuid:pk>/paper/", views.paper, name="paper"),
    path("voting/<uuid:pk>/chain/", views.chain_page, name="chain"),
    path("voting/<uuid:pk>/protocol.pdf", views.protocol_pdf, name="protocol"),
    path("voting/<uuid:pk>/decisions.pdf", views.decision_forms, name="decision-forms"),
    path("voting/<uuid:pk>/bundle.zip", views.bundle, name="bundle"),
    path("voting/<uuid:pk>/proxy/", views.proxy, name="proxy"),
    path("voting/<uuid:pk>/proxies/", views.proxies, name="proxies"),
    path("voting/<uuid:pk>/represent/", views.represent, name="represent"),
    path(
        "voting/<uuid:pk>/joint/<uuid:voter>/resolve/",
        views.joint_resolve,
        name="joint-resolve",
    ),
    path(
        "voting/<uuid:pk>/proxies/<uuid:proxy_pk>/decide/",
        views.proxy_decide,
        name="proxy-decide",
    ),
    path("api/v1/voting/meetings/", api.MeetingList.as_view(), name="api-meetings"),
    path("api/v1/voting/meetings/<uuid:pk>/", api.MeetingDetail.as_view(), name="api-meeting"),
    path(
        "api/v1/voting/meetings/<uuid:pk>/questions/",
        api.Questions.as_view(),
        name="api-questions",
    ),
    path("api/v1/voting/meetings/<uuid:pk>/ballots/", api.Ballots.as_view(), name="api-ballots"),
    path(
        "api/v1/voting/meetings/<uuid:pk>/receipts/<int:seq>/",
        api.Receipt.as_view(),
        name="api-receipt",
    ),
    path("api/v1/voting/meetings/<uuid:pk>/results/", api.Results.as_view(), name="api-results"),
]
