"""Back office for reference data: terms, sectors, parties, committees, units, areas, calendar, rules."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from . import models

# The back office in Chinese, for what other packages show there in English only: their app names (plain
# strings in their AppConfigs, so set here) and their labels (translatable, but without a Chinese catalogue:
# listed here so that ours carries them; the project's catalogue comes before theirs).
for _label, _name in (("axes", _("Sign-in attempts")), ("django_tasks_database", _("Background tasks"))):
    if _label in apps.app_configs:
        apps.app_configs[_label].verbose_name = _name
THIRD_PARTY_LABELS = (
    # django-axes
    gettext_noop("access attempt"), gettext_noop("access attempts"), gettext_noop("access failure"),
    gettext_noop("access failures"), gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"), gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"), gettext_noop("IP Address"), gettext_noop("Username"), gettext_noop("HTTP Accept"),
    gettext_noop("Path"), gettext_noop("Attempt Time"), gettext_noop("Access lock out"), gettext_noop("GET Data"),
    gettext_noop("POST Data"), gettext_noop("Failed Logins"), gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"), gettext_noop("Locked Out"), gettext_noop("Form Data"),
    gettext_noop("Meta Data"), gettext_noop("Clean up expired attempts"), gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    # django-tasks-db
    gettext_noop("Task Result"), gettext_noop("Task Results"), gettext_noop("enqueued at"), gettext_noop("started at"),
    gettext_noop("finished at"), gettext_noop("args kwargs"), gettext_noop("priority"), gettext_noop("task path"),
    gettext_noop("worker id"), gettext_noop("queue name"), gettext_noop("backend name"), gettext_noop("run after"),
    gettext_noop("return value"), gettext_noop("exception class path"), gettext_noop("traceback"),
    # Django 6.1's date drill-down, which its own zh_Hans catalogue does not translate yet
    gettext_noop("Filter by %(field_name)s"),
)

_ACTIONS = {"add": _("Can add %(model)s"), "change": _("Can change %(model)s"), "delete": _("Can delete %(model)s"),
            "view": _("Can view %(model)s")}


def _permission_label(permission: Permission) -> str:
    """A permission as the back office lists it, in the reader's language: Django stores the names of the
    model permissions in English ("Can add proposal"), so they are put together again from the translated
    model name."""
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in _ACTIONS and model is not None and model_name == model._meta.model_name:
        name = str(_ACTIONS[action]) % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


class PermissionLabelsMixin:
    """Lists permissions in the reader's language (`_permission_label`)."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = _permission_label
        return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabelsMixin, DjangoGroupAdmin):
    pass


@admin.register(models.User)
class UserAdmin(PermissionLabelsMixin, DjangoUserAdmin):
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
    list_display = ("title", "recipient", "kind", "delivery", "created_at", "read_at")
    list_filter = ("kind", "delivery")
    raw_id_fields = ("recipient", "digest")


@admin.register(models.NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "delivery", "email")
    list_filter = ("kind", "delivery")
    raw_id_fields = ("user",)


@admin.register(models.Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "target_type", "target_id", "size", "uploaded_by", "uploaded_at")


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash")
