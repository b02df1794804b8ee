"""Sign-in: a password (failed attempts limited per username and per address), then, for
people with multi-factor sign-in, a one-time code; and re-authentication before sensitive
actions."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from firms.recent_auth import mark_authenticated, recent_auth_seconds, safe_local_url
from firms.requests import SignedInRequest
from firms.selectors.mfa import mfa_confirmed, mfa_device_get, recovery_codes_left
from firms.services.credentials import (
    TooManyAttempts,
    credentials_check,
    second_factor_check,
)
from firms.services.login_throttle import login_failed, login_lockout, login_succeeded
from firms.services.mfa_codes import Factor
from rebalancer.client_address import client_address
from rebalancer.errors import DomainError

PENDING_KEY = "mfa_pending"
PENDING_SECONDS = 5 * 60


def too_many(request: HttpRequest, template: str, context: dict, exc: TooManyAttempts):
    """The page again, answered 429 with the lockout's message and Retry-After."""
    response = render(request, template, {**context, "error": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after_seconds)
    return response


class ThrottledLoginView(auth_views.LoginView):
    """The password step. With multi-factor sign-in on, a right password only starts a
    pending sign-in (the person's id in the session for ``PENDING_SECONDS``), finished by
    ``login_code``."""

    password_accepted = False

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
        if self.password_accepted:
            login_succeeded(username=username, address=address)
        else:
            login_failed(username=username, address=address)
        return response

    def form_valid(self, form) -> HttpResponse:  # noqa: ANN001 - Django's signature
        self.password_accepted = True
        user = form.get_user()
        if not mfa_confirmed(user=user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "until": time.time() + PENDING_SECONDS,
            "next": self.get_success_url(),
        }
        return redirect("login_code")


def _pending(request: HttpRequest):
    """The user waiting for their code and where they go next, or None (expired or none)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("until", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    return (user, pending) if user is not None else None


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: an authenticator code or a recovery code."""
    found = _pending(request)
    if found is None:
        messages.info(request, "Sign in with your password first (a sign-in waits 5 minutes).")
        return redirect("login")
    user, pending = found
    template, context = "registration/login_code.html", {"username": user.get_username()}
    if request.method != "POST":
        return render(request, template, context)
    try:
        factor = second_factor_check(
            user=user, code=request.POST.get("code", ""), address=client_address(request)
        )
    except TooManyAttempts as exc:
        return too_many(request, template, context, exc)
    except DomainError as exc:
        return render(request, template, {**context, "error": exc.message})
    del request.session[PENDING_KEY]
    login(request, user, backend=pending["backend"])
    if factor == Factor.RECOVERY:
        device = mfa_device_get(user=user)
        left = recovery_codes_left(device=device) if device is not None else 0
        messages.warning(
            request,
            f"You signed in with a recovery code; {left} left. "
            "Make new ones on your Security page if you are running low.",
        )
    return redirect(safe_local_url(request, pending["next"]) or reverse("home"))


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site signs in through the same steps as every page (never a password
    alone)."""
    back = safe_local_url(request, request.GET.get("next")) or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': back})}")


@login_required
def reauth(request: SignedInRequest) -> HttpResponse:
    """Confirm it's you: the password, and a code with multi-factor sign-in on."""
    back = safe_local_url(request, request.GET.get("next")) or reverse("home")
    repeat = request.GET.get("repeat") == "1"
    template = "registration/reauth.html"
    context = {
        "mfa": mfa_confirmed(user=request.user),
        "next": back,
        "repeat": repeat,
        "recent_minutes": recent_auth_seconds() // 60,
    }
    if request.method != "POST":
        return render(request, template, context)
    try:
        credentials_check(
            user=request.user,
            password=request.POST.get("password", ""),
            code=request.POST.get("code", ""),
            address=client_address(request),
        )
    except TooManyAttempts as exc:
        return too_many(request, template, context, exc)
    except DomainError as exc:
        return render(request, template, {**context, "error": exc.message})
    mark_authenticated(request)
    if repeat:
        messages.info(request, "Thank you. Your last action was not done: please do it again.")
    return redirect(back)
