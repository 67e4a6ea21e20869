from django.contrib import admin

from .models import (
    MentorAssignment,
    MentoringSettings,
    MentoringSlip,
    MentorMeeting,
)


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("pupil", "mentor", "academic_year")
    list_filter = ("academic_year",)
    raw_id_fields = ("pupil",)


@admin.register(MentoringSettings)
class MentoringSettingsAdmin(admin.ModelAdmin):
    list_display = ("school",)
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
