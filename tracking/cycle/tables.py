"""The health check's pupil list: a django-tables2 table over grade rows, filtered by django-filter."""

import django_filters
import django_tables2 as tables
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from tracking.models import Gender, GradeEntry, PriorBand, SenStatus, Subject, Target
from tracking.school.filters import AnyYesNo
from tracking.school.tables import pupil_flags_html


def health_pupil_rows(cycle, department):
    """Grade rows of the department's subjects at the cycle's points, with target step and gap."""
    target = Target.objects.filter(pupil_id=OuterRef("pupil_id"), subject_id=OuterRef("subject_id"))
    target = target.annotate(code=Coalesce("published_grade__code", "grade__code"))
    target_step = Target.objects.filter(pupil_id=OuterRef("pupil_id"), subject_id=OuterRef("subject_id"))
    target_step = target_step.annotate(step=Coalesce("published_grade__step", "grade__step"))
    return (
        GradeEntry.objects.filter(point__cycles=cycle, subject__department=department)
        .select_related("pupil__year_group", "pupil__form", "subject__scale", "current", "teaching_group")
        .annotate(
            target_code=Subquery(target.values("code")[:1]),
            target_step=Subquery(target_step.values("step")[:1]),
        )
        .annotate(gap=F("current__step") - F("target_step"))
    )


class HealthPupilFilter(django_filters.FilterSet):
    STANDING = (
        ("below", "Below target"),
        ("below_2", "Below target by 2+ grades"),
        ("below_4", "Below grade 4"),
        ("missing", "No grade entered"),
    )
    standing = django_filters.ChoiceFilter(choices=STANDING, method="by_standing", label="Standing")
    subject = django_filters.ModelChoiceFilter(queryset=Subject.objects.none())
    disadvantaged = django_filters.BooleanFilter(
        field_name="pupil__disadvantaged", label="Disadvantaged", widget=AnyYesNo
    )
    sen = django_filters.ChoiceFilter(field_name="pupil__sen_status", choices=SenStatus.choices, label="SEN")
    eal = django_filters.BooleanFilter(field_name="pupil__eal", label="EAL", widget=AnyYesNo)
    gender = django_filters.ChoiceFilter(field_name="pupil__gender", choices=Gender.choices)
    prior = django_filters.ChoiceFilter(
        field_name="pupil__prior_band",
        choices=[(c, label) for c, label in PriorBand.choices if c],
        label="Prior attainment",
    )

    class Meta:
        model = GradeEntry
        fields = ["standing", "subject", "disadvantaged", "sen", "eal", "gender", "prior"]

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["subject"].queryset = Subject.objects.filter(department=department)

    def by_standing(self, queryset, name, value):
        if value == "below":
            return queryset.filter(gap__lt=0)
        if value == "below_2":
            return queryset.filter(gap__lte=-2)
        if value == "below_4":
            return queryset.filter(subject__scale__code="gcse", current__step__lt=4)
        if value == "missing":
            return queryset.filter(current__isnull=True)
        return queryset


class HealthPupilTable(tables.Table):
    pupil = tables.Column(order_by=("pupil__legal_last_name", "pupil__legal_first_name"))
    year = tables.Column(accessor="pupil__year_group__number", verbose_name="Year")
    form = tables.Column(accessor="pupil__form__name", verbose_name="Form")
    subject = tables.Column(accessor="subject__name", verbose_name="Subject")
    teaching_group = tables.Column(verbose_name="Group", order_by="teaching_group__name")
    current = tables.Column(verbose_name="Current", order_by="current__rank")
    target_code = tables.Column(verbose_name="Target", order_by="target_step")
    gap = tables.Column(verbose_name="Gap (grades)", attrs={"td": {"class": "num"}})
    flags = tables.Column(empty_values=(), orderable=False, verbose_name="Flags")

    class Meta:
        model = GradeEntry
        fields = ()
        sequence = (
            "pupil",
            "year",
            "form",
            "subject",
            "teaching_group",
            "current",
            "target_code",
            "gap",
            "flags",
        )
        per_page = 50
        attrs = {"class": "table table-compact"}
        empty_text = "No pupils match these filters."

    def render_pupil(self, record):
        url = reverse("pupil_detail", args=[record.pupil_id])
        return format_html('<a href="{}">{}</a>', url, record.pupil.sorted_name)

    def render_gap(self, value):
        return f"{value:+d}" if value else "0"

    def render_flags(self, record):
        return pupil_flags_html(record.pupil)
