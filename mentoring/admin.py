from django.contrib import admin

from .models import MentorAssignment, MentoringSettings


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("pupil", "mentor", "academic_year")
    list_filter = ("academic_year",)
    raw_id_fields = ("pupil",)


@admin.register(MentoringSettings)
class MentoringSettingsAdmin(admin.ModelAdmin):
    list_display = ("school",)
    filter_horizontal = ("year_groups",)
