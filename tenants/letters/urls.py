"""Letters' pages under ``letters/`` and their API under ``api/v1/letters/``."""

from django.urls import path

from tenants.letters import api, views

app_name = "letters"

urlpatterns = [
    path("letters/", views.mine, name="mine"),
    path("letters/ask/", views.ask, name="ask"),
    path("letters/ask/suggest/", views.suggest, name="suggest"),
    path("letters/questions/<uuid:pk>/", views.question, name="question"),
    path("letters/questions/<uuid:pk>/close/", views.question_close, name="question-close"),
    path("letters/questions/<uuid:pk>/publish/", views.publish, name="publish"),
    path("letters/qa/", views.qa, name="qa"),
    path("letters/qa/<uuid:pk>/", views.qa_entry, name="qa-entry"),
    path("letters/qa/<uuid:pk>/withdraw/", views.qa_withdraw, name="qa-withdraw"),
    path("letters/board/", views.board, name="board"),
    path("letters/board/term/", views.term, name="term"),
    path("letters/applications/new/", views.apply, name="apply"),
    path("letters/applications/new/<slug:code>/", views.apply_form, name="apply-form"),
    path("letters/applications/<uuid:pk>/", views.application, name="application"),
    path("letters/applications/<uuid:pk>/pdf/", views.application_pdf, name="application-pdf"),
    path("letters/board/journal/", views.journal, name="journal"),
    path("letters/board/templates/", views.templates, name="templates"),
    path("letters/board/templates/new/", views.template_edit, name="template-new"),
    path("letters/board/templates/<uuid:pk>/", views.template_edit, name="template-edit"),
    path("api/v1/letters/questions/", api.QuestionList.as_view(), name="api-questions"),
    path("api/v1/letters/questions/<uuid:pk>/", api.QuestionDetail.as_view(), name="api-question"),
    path(
        "api/v1/letters/questions/<uuid:pk>/messages/",
        api.QuestionMessages.as_view(),
        name="api-question-messages",
    ),
    path("api/v1/letters/public/", api.PublicList.as_view(), name="api-public"),
    path("api/v1/letters/templates/", api.TemplateList.as_view(), name="api-templates"),
    path("api/v1/letters/applications/", api.ApplicationList.as_view(), name="api-applications"),
    path(
        "api/v1/letters/applications/<uuid:pk>/",
        api.ApplicationDetail.as_view(),
        name="api-application",
    ),
    path(
        "api/v1/letters/applications/<uuid:pk>/answer/",
        api.ApplicationAnswer.as_view(),
        name="api-application-answer",
    ),
]
