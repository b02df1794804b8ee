from django.contrib import admin

from models_library.models import (
    CorporateAction,
    EquivalenceMember,
    EquivalenceSet,
    ModelLine,
    ModelPortfolio,
    ModelVersion,
    Price,
    Security,
)


@admin.register(Security)
class SecurityAdmin(admin.ModelAdmin):
    list_display = ("symbol", "name", "security_type", "asset_class", "sector", "identical_group")
    list_filter = ("security_type", "asset_class", "sector", "tradable")
    search_fields = ("symbol", "name")


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ("security", "date", "close", "sent_by_firm", "sent_by", "accepted_by")
    list_filter = ("date",)
    raw_id_fields = ("security",)
    readonly_fields = ("sent_by_firm", "sent_by", "accepted_by")


class ModelLineInline(admin.TabularInline):
    model = ModelLine
    raw_id_fields = ("security", "sub_model")
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(ModelPortfolio)
class ModelPortfolioAdmin(admin.ModelAdmin):
    list_display = ("name", "firm", "created_at")
    list_filter = ("firm",)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("model", "number", "status", "published_at", "firm")
    list_filter = ("firm", "status")
    inlines = [ModelLineInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [f.name for f in obj._meta.fields]
        return ["status", "published_at", "published_by"]


class EquivalenceMemberInline(admin.TabularInline):
    model = EquivalenceMember
    raw_id_fields = ("security",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EquivalenceSet)
class EquivalenceSetAdmin(admin.ModelAdmin):
    """Read only: a firm changes its sets on the equivalence-set page or the API, where each
    change is audited."""

    list_display = ("name", "firm", "updated_at")
    list_filter = ("firm",)
    search_fields = ("name", "members__security__symbol")
    inlines = [EquivalenceMemberInline]


@admin.register(CorporateAction)
class CorporateActionAdmin(admin.ModelAdmin):
    """Read-only: actions are entered through the API's validated bulk import, which also
    applies them to every firm's books."""

    list_display = ("reference", "kind", "security", "new_security", "effective_date", "ex_date")
    list_filter = ("kind",)
    search_fields = ("reference", "security__symbol")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
