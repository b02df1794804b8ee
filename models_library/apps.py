from django.apps import AppConfig


class ModelsLibraryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "models_library"
