from django.urls import path

from models_library import views

urlpatterns = [
    path("models/", views.models, name="models"),
    path("models/<int:model_id>/", views.model_detail, name="model_detail"),
    path("models/<int:model_id>/draft/", views.draft_edit, name="draft_edit"),
    path("models/<int:model_id>/compare/", views.versions_compare, name="versions_compare"),
    path("versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path("versions/<int:version_id>/publish/", views.version_publish_view, name="version_publish"),
    path("versions/<int:version_id>/what-if/", views.version_what_if_view, name="version_what_if"),
    path(
        "accounts/<int:account_id>/model/",
        views.account_model_assign,
        name="account_model_assign",
    ),
]
