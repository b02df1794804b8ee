from django.apps import AppConfig


class FirmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "firms"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from firms.recent_auth import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="firms.recent_auth.stamp_sign_in")
