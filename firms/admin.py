from django.contrib import admin

from firms.models import AuditEvent, Firm, Membership


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "nightly_run_time", "require_four_eyes")
    search_fields = ("name", "slug")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "firm", "role", "is_active")
    list_filter = ("firm", "role")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("at", "firm", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("firm", "action", "object_type")
    search_fields = ("object_repr", "actor_label")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
