from django.urls import path

from . import keys

urlpatterns = [
    path("api-keys/", keys.ApiKeyListCreateApi.as_view(), name="api-keys"),
    path("api-keys/<int:key_id>/revoke/", keys.ApiKeyRevokeApi.as_view(), name="api-key-revoke"),
]
