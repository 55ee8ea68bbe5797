"""Back office for reference data: terms, sectors, parties, committees, units, areas, calendar, rules."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import models


@admin.register(models.User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "unit", "district", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email")
    autocomplete_fields = ("unit", "district")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Minsheng"), {"fields": ("display_name", "role", "unit", "district", "phone")}),
    )


@admin.register(models.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "starts_on", "ends_on")


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("name", "term", "number", "opens_on", "proposal_cutoff")
    list_filter = ("term",)


@admin.register(models.Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "category", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("category", "active")
    search_fields = ("name",)
    raw_id_fields = ("convener",)


@admin.register(models.Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "order")
    list_editable = ("order",)


@admin.register(models.Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)


@admin.register(models.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)


@admin.register(models.LivelihoodTag)
class LivelihoodTagAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "order")
    list_filter = ("kind",)


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organ", "parent", "contact_name", "contact_phone", "active")
    list_filter = ("kind", "organ", "active")
    search_fields = ("name", "short_name")
    raw_id_fields = ("parent", "area")


@admin.register(models.Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "party", "is_standing", "status", "term")
    list_filter = ("term", "status", "is_standing", "sector", "party")
    search_fields = ("name", "workplace")
    raw_id_fields = ("user", "area")
    filter_horizontal = ("committees",)
    list_select_related = ("sector", "party", "term")


@admin.register(models.CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"


@admin.register(models.DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "amount", "unit", "note")
    list_editable = ("amount", "unit")


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "verb", "target_type", "target_id", "from_state", "to_state")
    list_filter = ("verb", "target_type")
    readonly_fields = [f.name for f in models.Event._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "progress_done", "progress_total", "created_at", "finished_at")
    list_filter = ("status", "kind")
    readonly_fields = ("kind", "key", "params", "state", "log", "result", "error", "attempts", "created_by")


@admin.register(models.Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "created_at", "read_at")
    raw_id_fields = ("recipient",)


@admin.register(models.Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "target_type", "target_id", "size", "uploaded_by", "uploaded_at")


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash")
