"""Documents' and news pages under ``documents/`` and ``news/``, their API under
``api/v1/documents/``."""

from django.urls import path

from tenants.documents import api, news_views, views

app_name = "documents"

urlpatterns = [
    path("documents/", views.index, name="index"),
    path("documents/new/", views.new, name="new"),
    path("documents/disclosure/", views.disclosure, name="disclosure"),
    path("documents/register/", views.register, name="register"),
    path("documents/register.pdf", views.register_pdf, name="register-pdf"),
    path("documents/<uuid:pk>/", views.detail, name="detail"),
    path("documents/<uuid:pk>/edit/", views.edit, name="edit"),
    path("documents/<uuid:pk>/versions/new/", views.version_new, name="version-new"),
    path("documents/<uuid:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("documents/<uuid:pk>/versions/<uuid:version>/", views.version_file, name="file"),
    path("news/", news_views.news, name="news"),
    path("news/new/", news_views.news_new, name="news-new"),
    path("news/<uuid:pk>/", news_views.news_detail, name="news-detail"),
    path("news/<uuid:pk>/edit/", news_views.news_edit, name="news-edit"),
    path("news/<uuid:pk>/end/", news_views.news_end, name="news-end"),
    path("news/<uuid:pk>/delete/", news_views.news_delete, name="news-delete"),
    path("api/v1/documents/", api.DocumentList.as_view(), name="api-documents"),
    path("api/v1/documents/disclosure/", api.DisclosureList.as_view(), name="api-disclosure"),
    path("api/v1/documents/news/", api.NewsList.as_view(), name="api-news"),
    path("api/v1/documents/news/<uuid:pk>/", api.NewsDetail.as_view(), name="api-news-item"),
    path("api/v1/documents/<uuid:pk>/", api.DocumentDetail.as_view(), name="api-document"),
    path(
        "api/v1/documents/<uuid:pk>/versions/",
        api.VersionCreate.as_view(),
        name="api-versions",
    ),
]
