"""Back office for the hotline: the category tree, import sources, rule sets, tickets (read-mostly)."""

from django.contrib import admin

from . import models, services


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "level", "order", "active")
    list_filter = ("level", "active")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


@admin.register(models.ImportSource)
class ImportSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "encoding", "create_units", "updated_at")
    search_fields = ("name",)


@admin.register(models.RateRuleSet)
class RateRuleSetAdmin(admin.ModelAdmin):
    """Saving an edited rule set stores a new version (the old one keeps the months it was used for)."""

    list_display = ("name", "version", "active", "valid_from", "resolution_denominator", "satisfaction_denominator",
                    "weight_basic", "min_tickets", "list_size")
    list_filter = ("active", "name")
    readonly_fields = ("version", "created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            return
        base = models.RateRuleSet.objects.get(pk=obj.pk)
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.RULESET_FIELDS}
        new = services.ruleset_new_version(actor=request.user, base=base, **changes)
        obj.pk, obj.version = new.pk, new.version


@admin.register(models.Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "received_at", "kind", "category", "street", "unit", "satisfaction", "excluded")
    list_filter = ("kind", "channel", "satisfaction", "excluded", "deadline_class")
    search_fields = ("number",)
    raw_id_fields = ("category", "district", "street", "community", "unit")
    readonly_fields = ("import_job", "raw_values", "created_at", "month")
    show_full_result_count = False
    date_hierarchy = "received_at"
