from django.contrib import admin

from .models import (
    MentorAssignment,
    MentoringSettings,
    MentoringSlip,
    MentorMeeting,
    RagAction,
    RagBreakfast,
    RagEntry,
    RagSheetJob,
    RagSheetPart,
    RagWindow,
)


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("pupil", "mentor", "academic_year")
    list_filter = ("academic_year",)
    raw_id_fields = ("pupil",)


@admin.register(MentoringSettings)
class MentoringSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "school", "label_red", "label_amber", "label_green", "rag_opens_day", "rag_days_open",
        "rag_sheets_kept_days",
    )  # fmt: skip
    filter_horizontal = ("year_groups",)


@admin.register(MentorMeeting)
class MentorMeetingAdmin(admin.ModelAdmin):
    list_display = ("pupil", "mentor", "held_on", "kind", "parents_involved")
    list_filter = ("kind", "academic_year")
    raw_id_fields = ("pupil", "mentor", "recorded_by")
    date_hierarchy = "held_on"


@admin.register(MentoringSlip)
class MentoringSlipAdmin(admin.ModelAdmin):
    list_display = ("pupil", "subject", "kind", "sent_by", "mentor", "sent_at", "discussed_at")
    list_filter = ("kind",)
    raw_id_fields = ("pupil", "sent_by", "mentor", "meeting")


@admin.register(RagWindow)
class RagWindowAdmin(admin.ModelAdmin):
    list_display = ("month", "school", "opens_on", "closes_on")
    filter_horizontal = ("year_groups",)


@admin.register(RagEntry)
class RagEntryAdmin(admin.ModelAdmin):
    list_display = ("pupil", "subject", "window", "rating", "by", "updated_at")
    list_filter = ("rating", "window")
    raw_id_fields = ("pupil", "by")


@admin.register(RagAction)
class RagActionAdmin(admin.ModelAdmin):
    list_display = ("pupil", "subject", "owner", "owner_kind", "due_on", "status")
    list_filter = ("status", "owner_kind")
    raw_id_fields = ("pupil", "entry", "owner", "created_by")


@admin.register(RagBreakfast)
class RagBreakfastAdmin(admin.ModelAdmin):
    list_display = ("window", "mentor", "updated_at")


@admin.register(RagSheetJob)
class RagSheetJobAdmin(admin.ModelAdmin):
    list_display = ("window", "mentor", "status", "done", "total", "seconds", "requested_at")
    list_filter = ("status",)
    exclude = ("pdf",)


@admin.register(RagSheetPart)
class RagSheetPartAdmin(admin.ModelAdmin):
    list_display = ("job", "index")
    exclude = ("pdf",)
