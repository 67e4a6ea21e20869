from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied

from tracking import audit, models, permissions
from tracking.cycle import services


class ReadOnlyAdminMixin:
    """History and snapshots: shown in full, never typed over (the scheduler and services write them)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "school", "is_active")
    list_filter = ("school", "is_active", "is_trust_admin")
    fieldsets = BaseUserAdmin.fieldsets + (("School", {"fields": ("school", "is_trust_admin")}),)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if permissions.is_platform_operator(request.user):
            return fields
        # A school's data manager manages their colleagues' logins, not who runs the platform.
        return (*fields, *permissions.ADMIN_OPERATOR_FIELDS, "last_login", "date_joined")

    def user_change_password(self, request, id, form_url=""):
        # Others' passwords are set by their owners (reset by email), never typed in by a colleague.
        if not permissions.is_platform_operator(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if obj.school_id is None and not permissions.is_platform_operator(request.user):
            obj.school = permissions.school_for(request.user)
        super().save_model(request, obj, form, change)


class StaffRoleInline(admin.TabularInline):
    model = models.StaffRole
    extra = 0


@admin.register(models.Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("__str__", "initials", "code", "school")
    list_filter = ("school",)
    search_fields = ("user__first_name", "user__last_name", "initials", "code")
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
class GradeEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Grades change through the marksheet and imports, which validate and audit every change."""

    list_display = ("pupil", "subject", "point", "current", "predicted", "security", "effort")
    list_filter = ("point__academic_year", "subject")
    raw_id_fields = ("pupil", "teaching_group", "current", "predicted")
    list_select_related = ("pupil", "subject", "point", "current", "predicted")


@admin.register(models.Target)
class TargetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Targets change through their workflow (propose, agree, publish, request, decide), all audited."""

    list_display = ("pupil", "subject", "grade", "published_grade", "status")
    list_filter = ("status", "subject")
    list_select_related = ("pupil", "subject", "grade", "published_grade")
    search_fields = ("pupil__legal_last_name", "pupil__upn")


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
class TargetRaiseProposalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("target", "point", "achieved", "proposed_grade", "status")
    list_filter = ("status", "school")
    raw_id_fields = ("target",)


@admin.register(models.CurricularTarget)
class CurricularTargetAdmin(admin.ModelAdmin):
    list_display = ("text", "pupil", "teaching_group", "form", "horizon", "review_on", "share_with_family")
    list_filter = ("school", "horizon", "share_with_family")
    raw_id_fields = ("pupil", "teaching_group", "form")


@admin.register(models.SheetReopen)
class SheetReopenAdmin(admin.ModelAdmin):
    list_display = ("point", "teaching_group", "until", "reason", "by", "at")
    list_filter = ("school", "until")
    list_select_related = ("point", "teaching_group", "by")
    raw_id_fields = ("teaching_group",)


@admin.register(models.ReopenRequest)
class ReopenRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: requests are decided on the reopen requests page, through the audited service."""

    list_display = ("teaching_group", "point", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("school", "status")
    list_select_related = ("teaching_group", "point", "requested_by", "decided_by")


# -- the tracking cycle --------------------------------------------------------------------------


class CycleTransitionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = models.CycleTransition
    extra = 0
    fields = ("at", "from_stage", "to_stage", "via", "by", "note")
    readonly_fields = fields
    can_delete = False


class TrackingCycleForm(forms.ModelForm):
    """The same rules as the calendar's date page: stages in order, past stages fixed."""

    class Meta:
        model = models.TrackingCycle
        fields = ("school", "academic_year", "name", "points", *services.DATE_FIELDS.values())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Points of other years share names ("Y11 Autumn 2"): offer only the cycle's own year's.
        if self.instance.academic_year_id:
            self.fields["points"].queryset = models.AssessmentPoint.objects.filter(
                academic_year_id=self.instance.academic_year_id
            ).select_related("year_group")

    def clean(self):
        data = super().clean()
        dates = {name: data.get(name) for name in services.DATE_FIELDS.values()}
        if all(dates.values()):
            for name, message in services.cycle_dates_errors(self.instance, dates).items():
                self.add_error(name, message)
        return data


@admin.register(models.TrackingCycle)
class TrackingCycleAdmin(admin.ModelAdmin):
    form = TrackingCycleForm
    list_display = ("name", "academic_year", "school", "stage", "input_on", "closes_on", "is_held")
    list_filter = ("school", "academic_year", "stage", "is_held")
    list_select_related = ("academic_year", "school")
    search_fields = ("name",)
    filter_horizontal = ("points",)
    # Stages move through the state machine (scheduler or the cycle pages), which runs side effects.
    readonly_fields = ("stage", "is_held", "held_reason", "updated_at")
    inlines = [CycleTransitionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            audit.record(action="tracking.cycle.created", obj=obj, by=request.user, after={"name": obj.name})
            return
        # Dates go through the service so the change is validated under lock and audited.
        dates = {name: getattr(obj, name) for name in services.DATE_FIELDS.values()}
        stored = models.TrackingCycle.objects.get(pk=obj.pk)
        for name in dates:
            setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)
        services.cycle_dates_change(cycle=obj, dates=dates, by=request.user)
        for name, value in dates.items():
            setattr(obj, name, value)


@admin.register(models.CycleTransition)
class CycleTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("cycle", "from_stage", "to_stage", "at", "via", "by")
    list_filter = ("cycle__school", "to_stage", "via")
    list_select_related = ("cycle__academic_year", "by")


@admin.register(models.DepartmentSignOff)
class DepartmentSignOffAdmin(admin.ModelAdmin):
    list_display = ("cycle", "department", "status", "by_slt", "by", "at")
    list_filter = ("cycle__school", "status", "by_slt")
    list_select_related = ("cycle__academic_year", "department", "by")


@admin.register(models.SheetReturn)
class SheetReturnAdmin(admin.ModelAdmin):
    list_display = ("teaching_group", "cycle", "point", "reason", "by", "at", "resolved_at")
    list_filter = ("cycle__school", "resolved_at")
    list_select_related = ("teaching_group", "cycle__academic_year", "point", "by")
    raw_id_fields = ("teaching_group",)


@admin.register(models.HealthCheck)
class HealthCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("department", "cycle", "generated_at")
    list_filter = ("cycle__school", "cycle")
    list_select_related = ("department", "cycle__academic_year")


@admin.register(models.CycleNotification)
class CycleNotificationAdmin(admin.ModelAdmin):
    list_display = ("cycle", "stage", "user", "sent_at")
    list_filter = ("cycle__school", "stage")
    list_select_related = ("cycle__academic_year", "user")
    raw_id_fields = ("user",)


@admin.register(models.ScheduledEventRun)
class ScheduledEventRunAdmin(admin.ModelAdmin):
    """The scheduler's ledger. Deleting a row lets its event run again at the next tick."""

    list_display = ("key", "due_at", "ran_at", "note")
    search_fields = ("key",)


@admin.register(models.PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    list_display = ("task_name", "school", "args", "attempts", "created_at")
    list_filter = ("school", "task_name")
    list_select_related = ("school",)


@admin.register(models.FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ("task_name", "school", "args", "at", "retried_at", "retried_by")
    list_filter = ("school", "task_name")
    list_select_related = ("school", "retried_by")
    readonly_fields = ("at",)

    def get_queryset(self, request):
        # Each school's data manager sees their own school's failures, as on /tasks/failed/.
        if request.user.is_superuser:
            return super().get_queryset(request)
        return permissions.failed_tasks_visible_to(request.user)


@admin.register(models.FlightPathRow)
class FlightPathRowAdmin(admin.ModelAdmin):
    list_display = ("flight_path", "__str__")
    list_select_related = ("flight_path",)


@admin.register(models.SignInAttempt)
class SignInAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sign-in throttle's outstanding counts (the security log keeps the history)."""

    list_display = ("kind", "username", "address", "at")
    list_filter = ("kind",)
    search_fields = ("username", "address")


@admin.register(models.ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "school", "kind", "file_name", "status", "created", "updated", "unchanged")
    list_filter = ("kind", "status")
    exclude = ("content",)


@admin.register(models.ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("school", "kind", "updated_at")
    list_filter = ("kind",)


@admin.register(models.ProgressEstimate)
class ProgressEstimateAdmin(admin.ModelAdmin):
    list_display = ("school", "ks2_from", "estimated_a8")
    list_filter = ("school",)
