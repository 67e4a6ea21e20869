"""The Agreement for Examination Success: dates in order, a chase list for tutors, counts for SLT."""

from datetime import date

import pytest
from django.urls import reverse

from interventions.agreements import services
from interventions.agreements.models import ExamAgreement
from tracking.lib.errors import DomainError
from tracking.models import AuditEvent


def test_a_tutor_chases_their_forms_year_11_agreements_and_records_the_return(client, world):
    w = world
    client.force_login(w.tutor.user)
    page = client.get(reverse("interventions:agreement_list") + "?chase=1")
    assert [p for p, *_ in page.context["rows"]] == [w.classmate, w.child]  # 11A only, by name
    prefix = f"p{w.child.pk}"
    client.post(
        reverse("interventions:agreement_list"),
        {"pupil": w.child.pk, f"{prefix}-issued_on": "2026-09-10", f"{prefix}-pupil_signed_on": "2026-09-12",
         f"{prefix}-parent_signed_on": "2026-09-14", f"{prefix}-returned_on": "2026-09-15"},
    )  # fmt: skip
    agreement = ExamAgreement.objects.get(pupil=w.child)
    assert agreement.returned_on == date(2026, 9, 15)
    assert AuditEvent.objects.filter(action="interventions.agreement.changed", pupil=w.child).exists()
    page = client.get(reverse("interventions:agreement_list") + "?chase=1")
    assert [p for p, *_ in page.context["rows"]] == [w.classmate]


def test_a_tutor_cannot_record_for_a_pupil_outside_their_care(client, world):
    client.force_login(world.tutor.user)
    response = client.post(reverse("interventions:agreement_list"), {"pupil": world.other_child.pk})
    assert response.status_code == 404


def test_slt_see_the_count_for_the_whole_year(client, world):
    services.agreement_record(pupil=world.child, academic_year=world.year, by=world.slt.user,
                              issued_on=date(2026, 9, 10))  # fmt: skip
    client.force_login(world.slt.user)
    counts = client.get(reverse("interventions:agreement_list")).context["counts"]
    assert counts == {"not_issued": 2, "issued": 1, "signed": 0, "returned": 0}


@pytest.mark.parametrize(
    "dates, code",
    [
        ({"pupil_signed_on": date(2026, 9, 12)}, "not_issued"),
        ({"issued_on": date(2026, 9, 10), "returned_on": date(2026, 9, 1)}, "before_issue"),
        ({"issued_on": date(2026, 9, 10), "returned_on": date(2026, 9, 20)}, "unsigned_return"),
    ],
)
def test_dates_out_of_order_are_refused_and_nothing_is_saved(world, dates, code):
    with pytest.raises(DomainError) as error:
        services.agreement_record(pupil=world.child, academic_year=world.year, by=world.slt.user, **dates)
    assert error.value.code == code
    assert not ExamAgreement.objects.filter(issued_on__isnull=False).exists()


def test_the_list_shows_a_page_of_pupils_and_counts_the_whole_year(client, world, monkeypatch):
    w = world
    monkeypatch.setattr("interventions.agreements.views.PER_PAGE", 2)
    for pupil in (w.child, w.other_child):
        services.agreement_record(
            pupil=pupil, academic_year=w.year, by=w.slt.user, issued_on=date(2026, 9, 10)
        )
    services.agreement_record(
        pupil=w.child, academic_year=w.year, by=w.slt.user, issued_on=date(2026, 9, 10),
        pupil_signed_on=date(2026, 9, 12), parent_signed_on=date(2026, 9, 14), returned_on=date(2026, 9, 15),
    )  # fmt: skip
    client.force_login(w.slt.user)
    url = reverse("interventions:agreement_list")
    first, second = client.get(url), client.get(url + "?page=2")
    # By form (11A before none), then name; every page counts the whole year.
    assert [(p, stage) for p, _, stage, _ in first.context["rows"]] == [
        (w.classmate, "not_issued"),
        (w.child, "returned"),
    ]
    assert [(p, stage) for p, _, stage, _ in second.context["rows"]] == [(w.other_child, "issued")]
    for page in (first, second):
        assert page.context["counts"] == {"not_issued": 1, "issued": 1, "signed": 0, "returned": 1}
        assert page.context["total"] == 3
    assert "Page 1 of 2" in first.content.decode()
    chase = client.get(url + "?chase=1")
    assert [p for p, *_ in chase.context["rows"]] == [w.classmate, w.other_child]
    dates = dict((name, value) for name, _, value in first.context["rows"][1][3])
    assert dates["returned_on"] == date(2026, 9, 15)
