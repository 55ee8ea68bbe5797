from django.contrib import admin

from .models import (
    Activity,
    GroupMembership,
    ListItem,
    Opinion,
    Problem,
    ProblemProposal,
    ProgressUpdate,
    SupervisionGroup,
    Topic,
    TopicYear,
)


class ProblemInline(admin.TabularInline):
    model = Problem
    extra = 0


@admin.register(TopicYear)
class TopicYearAdmin(admin.ModelAdmin):
    list_display = ("year", "title")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("topic_year", "month", "theme", "lead_unit")
    list_filter = ("topic_year",)
    autocomplete_fields = ("lead_unit",)
    filter_horizontal = ("co_units", "categories", "tags")
    inlines = [ProblemInline]


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    raw_id_fields = ("member",)


@admin.register(SupervisionGroup)
class SupervisionGroupAdmin(admin.ModelAdmin):
    list_display = ("problem", "convener")
    raw_id_fields = ("problem", "convener")
    inlines = [MembershipInline]


class UpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    raw_id_fields = ("author",)


@admin.register(ListItem)
class ListItemAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "owner", "due_date", "status")
    list_filter = ("kind", "status")
    raw_id_fields = ("problem", "owner")
    inlines = [UpdateInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("held_on", "kind", "place", "problem", "person_count")
    list_filter = ("kind",)
    raw_id_fields = ("problem", "participants", "created_by")


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "member", "problem")
    list_filter = ("kind",)
    raw_id_fields = ("problem", "member")


@admin.register(ProblemProposal)
class ProblemProposalAdmin(admin.ModelAdmin):
    list_display = ("problem", "proposal", "linked_by", "linked_at")
    raw_id_fields = ("problem", "proposal", "linked_by")
