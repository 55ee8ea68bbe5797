from django.contrib import admin

from . import models


@admin.register(models.SubjectArea)
class SubjectAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)


@admin.register(models.NotFiledReason)
class NotFiledReasonAdmin(admin.ModelAdmin):
    list_display = ("text", "code", "order", "active")
    list_editable = ("order", "active")


@admin.register(models.ResultCategory)
class ResultCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "adopted", "needs_follow_up")
    list_editable = ("label", "adopted", "needs_follow_up")


class ProposerInline(admin.TabularInline):
    model = models.Proposer
    fk_name = "proposal"
    raw_id_fields = ("member", "via")
    extra = 0


class HandlingInline(admin.TabularInline):
    model = models.Handling
    fk_name = "proposal"
    raw_id_fields = ("unit", "lead", "reassigned_from")
    readonly_fields = ("status",)
    extra = 0


@admin.register(models.Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read and correct in the back office; state changes go through the proposal pages (services)."""

    list_display = ("title", "number", "kind", "timing", "status", "is_key", "is_urgent")
    list_filter = ("status", "kind", "timing", "is_key", "is_urgent", "session")
    search_fields = ("title",)
    readonly_fields = ("status", "serial", "session", "timing", "version", "merged_into")
    raw_id_fields = ("created_by", "supervising_leader", "referred_to")
    inlines = [ProposerInline, HandlingInline]
    list_select_related = ("term", "session")
