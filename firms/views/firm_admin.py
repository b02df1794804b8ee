"""Firm administration for firm admins: the firm's people and their roles, its API keys,
the four-eyes rule and the nightly schedule. Each change goes through a service (audited)
and needs a recent sign-in; other roles get 403 and never see the links."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from firms.models import ApiKey, ApiScope, Role
from firms.permissions import Action
from firms.recent_auth import recent_auth_required
from firms.requests import FirmRequest
from firms.selectors.firm_admin import firm_api_keys, firm_people, four_eyes_requests
from firms.selectors.memberships import firm_member_get
from firms.services.api_keys import api_key_create, api_key_revoke
from firms.services.firm_settings import (
    firm_schedule_update,
    four_eyes_off_approve,
    four_eyes_off_cancel,
    four_eyes_off_request,
    four_eyes_turn_on,
    pending_four_eyes_off,
)
from firms.services.members import member_invite, member_remove, member_role_change
from firms.services.review_rules import firm_review_rules_update
from firms.views.review_rules import HUNDRED, ReviewRulesForm, review_rules_form
from firms.web import add_service_errors, firm_view
from rebalancer.errors import DomainError
from rebalancer.tenancy import get_for_firm_or_404


class InviteForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.CharField(max_length=254, required=False, label="Email (optional)")
    role = forms.ChoiceField(choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class KeyForm(forms.Form):
    name = forms.CharField(max_length=100)
    scopes = forms.MultipleChoiceField(
        choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires (optional; a year from now if blank)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ScheduleForm(forms.Form):
    nightly_run_time = forms.TimeField(
        label="Nightly run time (local, 24-hour)",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    timezone = forms.CharField(max_length=64, label="Time zone")


def _members_page(request: FirmRequest, form: InviteForm, status: int = 200, **extra):
    return render(
        request,
        "accounts/firm_members.html",
        {
            "members": firm_people(firm=request.firm),
            "form": form,
            "roles": Role.choices,
            **extra,
        },
        status=status,
    )


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def firm_members(request: FirmRequest) -> HttpResponse:
    """The firm's people and their roles; POST: invite a person."""
    if request.method != "POST":
        return _members_page(request, InviteForm())
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = member_invite(firm=request.firm, actor=request.actor, **form.cleaned_data)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            return _members_page(
                request,
                InviteForm(),
                invited=invitation.membership,
                set_password_url=request.build_absolute_uri(invitation.set_password_path),
            )
    return _members_page(request, form, status=400)


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def member_role(request: FirmRequest, user_id: int) -> HttpResponse:
    member = firm_member_get(firm=request.firm, user_id=user_id)
    if request.method == "POST":
        form = RoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"Role: choose one of {', '.join(r.label for r in Role)}.")
            return redirect("firm_members")
        try:
            changed = member_role_change(
                firm=request.firm,
                actor=request.actor,
                user_id=member.user_id,
                role=form.cleaned_data["role"],
            )
        except DomainError as exc:
            messages.error(request, f"Role of {member.user.get_username()}: {exc.message}")
        else:
            messages.success(
                request, f"{changed.user.get_username()} is now a {changed.get_role_display()}."
            )
    return redirect("firm_members")


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def member_remove_view(request: FirmRequest, user_id: int) -> HttpResponse:
    """GET: what removing does, and the button; POST: remove."""
    member = firm_member_get(firm=request.firm, user_id=user_id)
    if request.method == "POST":
        try:
            member_remove(firm=request.firm, actor=request.actor, user_id=member.user_id)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"{member.user.get_username()} no longer works in {request.firm.name}."
            )
            if member.user_id == request.user.pk:
                return redirect("home")
        return redirect("firm_members")
    return render(
        request,
        "accounts/member_remove_confirm.html",
        {"member": member, "is_self": member.user_id == request.user.pk},
    )


def _keys_page(request: FirmRequest, form: KeyForm, status: int = 200, **extra):
    return render(
        request,
        "accounts/firm_api_keys.html",
        {"keys": firm_api_keys(firm=request.firm), "form": form, **extra},
        status=status,
    )


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def firm_api_keys_page(request: FirmRequest) -> HttpResponse:
    """The firm's API keys; POST: issue one (the key is shown on this answer only)."""
    if request.method != "POST":
        return _keys_page(request, KeyForm())
    form = KeyForm(request.POST)
    if form.is_valid():
        try:
            issued = api_key_create(
                firm=request.firm,
                actor=request.actor,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            response = _keys_page(request, KeyForm(), issued=issued)
            response["Cache-Control"] = "no-store"
            return response
    return _keys_page(request, form, status=400)


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def api_key_revoke_view(request: FirmRequest, key_id: int) -> HttpResponse:
    """GET: what revoking does, and the button; POST: revoke."""
    api_key = get_for_firm_or_404(ApiKey.objects.all(), firm=request.firm, pk=key_id)
    if request.method == "POST":
        try:
            api_key_revoke(firm=request.firm, actor=request.actor, api_key=api_key)
        except DomainError as exc:
            messages.error(request, f"API key '{api_key.name}': {exc.message}.")
        else:
            messages.success(
                request, f"The API key '{api_key.name}' is revoked: it no longer works."
            )
        return redirect("firm_api_keys")
    return render(request, "accounts/api_key_revoke_confirm.html", {"api_key": api_key})


def settings_page(
    request: FirmRequest,
    form: ScheduleForm | None = None,
    *,
    review_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The settings page: four eyes, the nightly schedule (`form`) and the review rules
    (`review_form`), each form as posted where it was, else as the firm has it."""
    return render(
        request,
        "accounts/firm_settings.html",
        {
            "form": form or _schedule_form(request),
            "review_form": review_form or review_rules_form(request),
            "pending": pending_four_eyes_off(firm=request.firm),
            "requests": four_eyes_requests(firm=request.firm),
            "zones": sorted(zoneinfo.available_timezones()),
        },
        status=status,
    )


def _schedule_form(request: FirmRequest) -> ScheduleForm:
    firm = request.firm
    return ScheduleForm(
        initial={"nightly_run_time": firm.nightly_run_time, "timezone": firm.timezone}
    )


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def firm_settings(request: FirmRequest) -> HttpResponse:
    """The nightly schedule, the four-eyes rule and the review rules; POST: save the
    schedule."""
    if request.method != "POST":
        return settings_page(request)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            firm_schedule_update(
                firm=request.firm,
                actor=request.actor,
                nightly_run_time=form.cleaned_data["nightly_run_time"],
                time_zone=form.cleaned_data["timezone"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"The nightly run is now at {request.firm.nightly_run_time:%H:%M} "
                f"{request.firm.timezone}.",
            )
            return redirect("firm_settings")
    return settings_page(request, form, status=400)


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def review_rules(request: FirmRequest) -> HttpResponse:
    """POST: save the review rules; the settings page shows them."""
    if request.method != "POST":
        return redirect("firm_settings")
    form = ReviewRulesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            firm_review_rules_update(
                firm=request.firm,
                actor=request.actor,
                turnover_flag_threshold=data["turnover_flag_threshold"] / HUNDRED,
                tax_flag_threshold_usd=data["tax_flag_threshold_usd"],
                bulk_approvable_flags=data["bulk_approvable_flags"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Review rules saved. The thresholds flag proposals from the next run on; "
                "bulk approval lets the flags you chose through from now on.",
            )
            return redirect("firm_settings")
    return settings_page(request, review_form=form, status=400)


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def four_eyes(request: FirmRequest) -> HttpResponse:
    """POST ``do``: ``on`` (immediate), ``request_off``, ``approve`` or ``cancel`` (with
    ``request_id``)."""
    if request.method != "POST":
        return redirect("firm_settings")
    do = request.POST.get("do")
    firm, actor = request.firm, request.actor
    try:
        if do == "on":
            four_eyes_turn_on(firm=firm, actor=actor)
            messages.success(request, "Four eyes is on: each blotter needs a second trader.")
        elif do == "request_off":
            four_eyes_off_request(firm=firm, actor=actor, reason=request.POST.get("reason", ""))
            messages.success(
                request, "Asked to turn four eyes off: it stays on until another admin approves."
            )
        elif do in ("approve", "cancel"):
            request_id = int(request.POST.get("request_id", ""))
            if do == "approve":
                four_eyes_off_approve(firm=firm, actor=actor, request_id=request_id)
                messages.success(request, "Four eyes is off: one trader's approval is enough.")
            else:
                four_eyes_off_cancel(firm=firm, actor=actor, request_id=request_id)
                messages.success(request, "The request is cancelled: four eyes stays on.")
        else:
            messages.error(
                request, "Four eyes: choose to turn it on, ask to turn it off, approve or cancel."
            )
    except ValueError:
        messages.error(request, "Four eyes: the request to approve or cancel is missing.")
    except DomainError as exc:
        messages.error(request, f"Four eyes: {exc.message}")
    return redirect("firm_settings")


def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time page where an invited person sets their password (signed out)."""
    try:
        user = get_user_model().objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "registration/set_password.html", {"invalid": True}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your password is set: sign in with it.")
        return redirect("login")
    return render(
        request, "registration/set_password.html", {"form": form, "username": user.get_username()}
    )
