"""Sign-in with failed attempts limited per username and per address."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from accounts.services.login_throttle import login_failed, login_lockout, login_succeeded


def client_address(request: HttpRequest) -> str:
    """The client's address as the server saw it (set a trusted proxy to pass it on)."""
    return request.META.get("REMOTE_ADDR", "unknown")


class ThrottledLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        address = client_address(request)
        lockout = login_lockout(username=username, address=address)
        if lockout is not None:
            form = self.get_form_class()(request=request, initial={"username": username})
            response = self.render_to_response(
                self.get_context_data(form=form, lockout_message=lockout.message)
            )
            response.status_code = 429
            response["Retry-After"] = str(lockout.retry_after_seconds)
            return response
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            login_succeeded(username=username, address=address)
        else:
            login_failed(username=username, address=address)
        return response
