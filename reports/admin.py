from django.contrib import admin

from .models import PupilReport, ReportComment, ReportLayout, ReportRun


@admin.register(ReportLayout)
class ReportLayoutAdmin(admin.ModelAdmin):
    list_display = ("school", "kind")
    list_filter = ("kind",)


@admin.register(ReportComment)
class ReportCommentAdmin(admin.ModelAdmin):
    list_display = ("pupil", "point", "role", "by", "at")
    list_filter = ("role",)
    raw_id_fields = ("pupil", "point", "by")


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "total", "created_at", "published_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("point", "year_group", "form", "replaces", "created_by", "published_by")


@admin.register(PupilReport)
class PupilReportAdmin(admin.ModelAdmin):
    list_display = ("pupil", "run", "status", "made_at")
    list_filter = ("status",)
    raw_id_fields = ("pupil", "run")
    readonly_fields = ("data", "pdf")
