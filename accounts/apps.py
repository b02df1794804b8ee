from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.recent_auth import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.recent_auth.stamp_sign_in")
