from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import models


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "school", "is_active")
    list_filter = ("school", "is_active", "is_trust_admin")
    fieldsets = BaseUserAdmin.fieldsets + (("School", {"fields": ("school", "is_trust_admin")}),)


class StaffRoleInline(admin.TabularInline):
    model = models.StaffRole
    extra = 0


@admin.register(models.Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("__str__", "initials", "school")
    list_filter = ("school",)
    search_fields = ("user__first_name", "user__last_name", "initials")
    inlines = [StaffRoleInline]


class GradeValueInline(admin.TabularInline):
    model = models.GradeValue
    extra = 0


@admin.register(models.GradeScale)
class GradeScaleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "school")
    inlines = [GradeValueInline]


@admin.register(models.Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ("legal_last_name", "legal_first_name", "upn", "year_group", "form", "school")
    list_filter = ("school", "year_group", "disadvantaged", "sen_status", "eal")
    search_fields = ("legal_last_name", "legal_first_name", "preferred_first_name", "upn")
    list_select_related = ("year_group", "form", "school")


@admin.register(models.TeachingGroup)
class TeachingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "subject", "year_group", "academic_year")
    list_filter = ("school", "academic_year", "year_group", "subject")
    filter_horizontal = ("teachers", "pupils")
    search_fields = ("name",)


@admin.register(models.GradeEntry)
class GradeEntryAdmin(admin.ModelAdmin):
    list_display = ("pupil", "subject", "point", "current", "predicted", "security", "effort")
    list_filter = ("point__academic_year", "subject")
    raw_id_fields = ("pupil", "teaching_group", "current", "predicted")
    list_select_related = ("pupil", "subject", "point", "current", "predicted")

    def has_change_permission(self, request, obj=None):
        # Grades change through the marksheet and imports, which audit every change.
        return False


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "by", "object_type", "object_id", "via")
    list_filter = ("school", "action")
    readonly_fields = [f.name for f in models.AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    models.School,
    models.AcademicYear,
    models.HalfTerm,
    models.YearGroup,
    models.FormGroup,
    models.Department,
    models.Subject,
    models.AssessmentPoint,
    models.Guardian,
    models.GuardianLink,
    models.Target,
    models.StaffRole,
    models.GradeValue,
):
    admin.site.register(model)


class FlightPathRowInline(admin.TabularInline):
    model = models.FlightPathRow
    extra = 0


@admin.register(models.FlightPath)
class FlightPathAdmin(admin.ModelAdmin):
    list_display = ("subject", "name", "gap_y7", "gap_y8", "gap_y9", "gap_y10", "school")
    list_filter = ("school",)
    inlines = [FlightPathRowInline]


@admin.register(models.TargetRaiseProposal)
class TargetRaiseProposalAdmin(admin.ModelAdmin):
    list_display = ("target", "point", "achieved", "proposed_grade", "status")
    list_filter = ("status", "school")
    raw_id_fields = ("target",)


@admin.register(models.CurricularTarget)
class CurricularTargetAdmin(admin.ModelAdmin):
    list_display = ("text", "pupil", "teaching_group", "form", "horizon", "review_on", "share_with_family")
    list_filter = ("school", "horizon", "share_with_family")
    raw_id_fields = ("pupil", "teaching_group", "form")
