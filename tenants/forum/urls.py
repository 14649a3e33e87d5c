"""The forum's pages under ``forum/`` and its API under ``api/v1/forum/``."""

from django.urls import path

from tenants.forum import api, views

app_name = "forum"

urlpatterns = [
    path("forum/", views.index, name="index"),
    path("forum/search/", views.search, name="search"),
    path("forum/members/", views.members, name="members"),
    path("forum/sections/add/", views.section_add, name="section-add"),
    path("forum/sections/<uuid:pk>/", views.section, name="section"),
    path("forum/sections/<uuid:pk>/edit/", views.section_edit, name="section-edit"),
    path("forum/sections/<uuid:pk>/new/", views.new_topic, name="new-topic"),
    path("forum/topics/<uuid:pk>/", views.topic, name="topic"),
    path("forum/topics/<uuid:pk>/reply/", views.reply, name="reply"),
    path("forum/topics/<uuid:pk>/follow/", views.follow, name="follow"),
    path("forum/topics/<uuid:pk>/moderate/", views.moderate_topic, name="moderate-topic"),
    path("forum/posts/<uuid:pk>/", views.post, name="post"),
    path("forum/posts/<uuid:pk>/edit/", views.edit, name="edit"),
    path("forum/posts/<uuid:pk>/history/", views.history, name="history"),
    path("forum/posts/<uuid:pk>/moderate/", views.moderate_post, name="moderate-post"),
    path("forum/discuss/<str:kind>/<str:object_id>/", views.discuss, name="discuss"),
    path("api/v1/forum/sections/", api.SectionList.as_view(), name="api-sections"),
    path("api/v1/forum/topics/", api.TopicList.as_view(), name="api-topics"),
    path("api/v1/forum/topics/<uuid:pk>/", api.TopicDetail.as_view(), name="api-topic"),
    path("api/v1/forum/topics/<uuid:pk>/posts/", api.PostList.as_view(), name="api-posts"),
    path("api/v1/forum/posts/<uuid:pk>/", api.PostDetail.as_view(), name="api-post"),
    path("api/v1/forum/search/", api.Search.as_view(), name="api-search"),
]
