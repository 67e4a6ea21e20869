from django.contrib import admin

from . import models


class RuleInline(admin.StackedInline):
    model = models.Rule
    extra = 0


@admin.register(models.RulePreset)
class RulePresetAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "school")
    list_filter = ("school",)
    inlines = [RuleInline]


@admin.register(models.Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("name", "preset", "scope", "kind", "owner", "level", "is_active")
    list_filter = ("preset__school", "preset", "scope", "is_active")
    list_select_related = ("preset",)


@admin.register(models.InterventionSettings)
class InterventionSettingsAdmin(admin.ModelAdmin):
    list_display = ("school", "active_preset")


@admin.register(models.Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("pupil", "scope", "subject", "level", "owner", "status", "source", "raised_at", "outcome")
    list_filter = ("school", "scope", "level", "status", "source", "outcome")
    raw_id_fields = ("pupil", "point", "subject", "rule", "owner", "raised_by")
    search_fields = ("pupil__legal_last_name", "reason")


@admin.register(models.SessionSettings)
class SessionSettingsAdmin(admin.ModelAdmin):
    """Set by each school: the weekly sessions limit and the reward goal's name and points."""

    list_display = ("school", "weekly_limit", "reward_goal", "reward_goal_points", "points_per_session")


@admin.register(models.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("pupil", "tier", "level", "owner", "status", "start_date", "review_date")
    list_filter = ("school", "tier", "level", "status")
    raw_id_fields = ("pupil", "flag", "owner", "form", "department", "start_point", "created_by")
    filter_horizontal = ("subjects",)


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "date", "starts_at", "room", "capacity", "kind", "advertised")
    list_filter = ("school", "kind", "advertised")
    raw_id_fields = ("subject", "leader")


@admin.register(models.ExamAgreement)
class ExamAgreementAdmin(admin.ModelAdmin):
    list_display = ("pupil", "issued_on", "pupil_signed_on", "parent_signed_on", "returned_on")
    list_filter = ("school", "academic_year")
    raw_id_fields = ("pupil",)


@admin.register(models.PlanReview)
class PlanReviewAdmin(admin.ModelAdmin):
    list_display = ("plan", "point", "decision", "level_before", "level_after", "at")
    raw_id_fields = ("plan", "point", "by")


@admin.register(models.TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "key_stage", "owner", "created_at")
    list_filter = ("school", "key_stage")
    raw_id_fields = ("owner", "start_point")
    filter_horizontal = ("pupils",)


@admin.register(models.SessionRequest)
class SessionRequestAdmin(admin.ModelAdmin):
    list_display = ("pupil", "subject", "kind", "week_start", "status", "requested_by")
    list_filter = ("school", "kind", "status", "week_start")
    raw_id_fields = ("pupil", "subject", "requested_by")


@admin.register(models.Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ("pupil", "session", "status", "attendance", "points", "followed_up_at")
    list_filter = ("school", "status", "attendance")
    raw_id_fields = ("session", "pupil", "request", "marked_by", "followed_up_by")


@admin.register(models.TimetableIssue)
class TimetableIssueAdmin(admin.ModelAdmin):
    list_display = ("school", "week_start", "issued_at", "sessions", "places")
