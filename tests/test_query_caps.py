"""Every page in the access matrix, for every persona allowed to open it, reads at most a fixed number
of SQL queries however big the school. A page that starts querying per pupil, per group or
per grade (an N+1) fails here before it reaches a school of 1,500: each page is read with twelve more
pupils than the persona world has, each with grades, targets and a flag.

Caps are absolute: session, user, access, the page's reads, navigation and messages. A page that needs
more must say why in its own change.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.access_matrix import ROWS
from tests.export_matrix import EXPORTS, PRINTS, export_url, print_url

# url name -> the most queries any allowed persona's GET may take.
CAPS = {
    "completion": 11,
    "completion_remind": 5,
    "curricular_target_new": 8,
    "cycle_action": 6,
    "cycle_calendar": 7,
    "cycle_dates": 6,
    "cycle_detail": 9,
    "cycle_report": 8,
    "cycle_verify": 13,
    "dashboard": 7,  # a teacher: the newest uplift with their own grades, one query more
    "dashboard_trend": 8,  # the page's scope, its own half term's figures and the trend's: a query each
    "dashboard_attainment8": 7,
    "dashboard_attainment8_pupil": 8,
    "dashboard_transition": 21,
    "dashboard_tutor": 16,
    "dashboard_year_lists": 12,
    "dashboard_variation": 7,
    "data_board_settings": 6,
    "failed_task_retry": 6,
    "failed_tasks": 6,
    "flight_paths": 8,
    "flight_paths_csv": 7,
    "group_detail": 18,
    "group_list": 11,
    "health_check_chart": 6,
    "health_check_detail": 15,
    "health_check_list": 8,
    "health_check_pdf": 14,
    # a head of department: 21, one to count the decisions waiting, one for the teachers' Academic RAG
    # panel (is a window open)
    "home": 23,
    "import_columns": 6,
    "import_commit": 7,
    "import_detail": 6,
    "import_list": 6,
    "import_progress": 6,
    "import_upload": 6,
    "interventions:agreement_list": 8,
    "interventions:allocation": 9,
    "interventions:flag_create": 8,
    "interventions:flag_detail": 9,
    "interventions:flag_list": 10,
    "interventions:flag_new": 5,
    "interventions:follow_ups": 6,
    "interventions:impact": 9,
    "interventions:ks_sheet": 9,
    "interventions:plan_detail": 19,
    "interventions:plan_export": 7,
    "interventions:plan_from_flag": 9,
    "interventions:plan_list": 10,
    "interventions:plan_pdf": 7,
    "interventions:register": 8,
    "interventions:rule_edit": 6,
    "interventions:rules": 8,
    "interventions:sen": 7,  # a teacher: the newest uplift with their own grades, one query more
    "interventions:session_request_new": 6,
    "interventions:session_requests": 7,  # paged: the requests count
    "interventions:session_week": 8,
    "interventions:signup_sheet": 7,
    "interventions:target_group_detail": 8,
    "interventions:timetable_pdf": 10,
    "marksheet": 17,
    "marksheet_list": 11,
    "marksheet_reopen": 8,
    "marksheet_reopen_request": 9,
    "marksheet_row": 14,
    "marksheet_light": 14,
    "marksheet_verify": 8,
    "master_chooser": 7,
    "master_detail": 15,
    "master_export": 15,
    "mentoring:allocation": 13,
    "mentoring:compliance": 7,
    "mentoring:mentee": 11,
    "mentoring:mentees": 18,
    "mentoring:rag_action_new": 10,
    "mentoring:rag_actions": 7,
    "mentoring:rag_breakfast": 7,
    "mentoring:rag_home": 8,
    "mentoring:rag_review": 11,
    "mentoring:rag_sheet": 11,
    "mentoring:rag_sheet_job": 8,
    "mentoring:rag_sheet_pdf": 10,
    "mentoring:rag_sheets": 8,  # + how long the school keeps printed sheets
    "mentoring:rag_theme_css": 6,
    "mentoring:slip_new": 11,
    "mentoring:slips": 9,
    "point_reopen": 7,
    "reopen_request_decide": 6,
    "reopen_requests": 7,
    "progress_estimates": 6,
    "pupil_detail": 23,  # + a teacher's "send a mentoring slip" (teaches the pupil? their mentor)
    "pupil_grade_history": 7,
    "pupil_list": 9,
    "reports:comments": 11,
    "reports:family_child": 15,
    "reports:preview": 21,
    "reports:report_download": 8,
    "reports:run_detail": 11,
    "reports:run_list": 9,
    "reports:run_print": 7,
    "reports:run_progress": 7,
    "reports:run_zip": 7,
    "reports:settings": 9,
    "school_theme_css": 5,
    "security_log": 8,
    "setup_calendar": 8,
    "setup_export": 5,
    "setup_home": 16,
    "setup_point": 10,
    "setup_points": 9,
    "setup_scale": 9,
    "setup_scales": 8,
    "setup_school": 6,
    "setup_staff": 10,
    "setup_staff_member": 11,
    "setup_subject": 11,
    "setup_subjects": 9,
    "sheet_history": 8,
    "subject_access": 30,
    "target_changes": 6,
    "target_detail": 10,
    "target_generate": 8,
    "target_overview": 12,
    "target_raises": 6,
}


def _grow(w):
    """Twelve more pupils in the maths and English groups, each with grades, targets and a flag."""
    from interventions.models import Flag

    for i in range(12):
        pupil = f.PupilFactory(
            school=w.school, year_group=w.y11, form=w.child.form, legal_last_name=f"Grow{i}"
        )
        w.group.pupils.add(pupil)
        w.english_group.pupils.add(pupil)
        for subject in (w.maths, w.english):
            f.GradeEntryFactory(pupil=pupil, subject=subject, point=w.point, school=w.school)
            f.TargetFactory(pupil=pupil, subject=subject)
        Flag.objects.create(
            school=w.school,
            pupil=pupil,
            point=w.point,
            subject=w.maths,
            scope="subject",
            reason="Grown",
            owner=w.hod,
            raised_at=timezone.now(),
        )


def _count(client, url, django_assert_max_num_queries, cap):
    client.get(url)  # warm: first-request session writes and caches
    with django_assert_max_num_queries(cap) as captured:
        response = client.get(url)
    return response, len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted({row[0] for row in ROWS}))
def test_every_page_reads_a_capped_number_of_queries_whatever_the_school_size(
    client, world, name, django_assert_max_num_queries
):
    rows = [row for row in ROWS if row[0] == name]
    cap = CAPS.get(name, 1000)
    seen, post_only = [], False
    _grow(world)  # past the cap if anything is read per pupil, grade or flag
    for _, args, allowed in rows:
        url = reverse(name, args=args(world))
        for persona in sorted(allowed):
            client.force_login(getattr(world, persona).user)
            response, n = _count(client, url, django_assert_max_num_queries, cap)
            if response.status_code == 405:
                post_only = True
                continue  # an action endpoint: POST only
            assert response.status_code == 200, (persona, url, response.status_code)
            seen.append((n, persona))
    if not seen and (post_only or not any(allowed for _, _, allowed in rows)):
        return  # an action with nothing to read: the access matrix's action tests cover it
    assert seen, f"{name}: no persona opened it"
    assert name in CAPS, f"{name}: no cap yet; counts {sorted(seen, reverse=True)[:3]}"


# url name -> the most queries its "Download CSV / XLSX" (?export=) may take for any allowed persona:
# every row of the page in a fixed number of queries (plus the security log's download record).
EXPORT_CAPS = {
    "completion": 11,
    "dashboard": 13,  # a teacher: the newest uplift with their own grades, one query more
    "dashboard_attainment8": 14,
    "dashboard_attainment8_pupil": 15,  # as the page with the pupil's grades, and the download's record
    "dashboard_variation": 15,  # a teacher: the newest uplift with their own grades, one query more
    "cycle_detail": 8,
    "cycle_report": 9,  # the departments, and every flag of the impact section
    "cycle_verify": 14,
    "dashboard_transition": 18,
    "dashboard_tutor": 17,
    "dashboard_year_lists": 12,  # as the page: the lists' counts in one query, then the pupils
    "failed_tasks": 7,
    "flight_paths": 7,
    "group_detail": 14,
    "group_list": 9,
    "health_check_detail": 14,
    "health_check_list": 9,
    "import_detail": 7,
    "import_list": 7,
    "interventions:agreement_list": 9,
    "interventions:allocation": 9,
    "interventions:flag_detail": 9,
    "interventions:flag_list": 7,
    "interventions:impact": 19,
    "interventions:ks_sheet": 13,
    "interventions:plan_detail": 11,
    "interventions:plan_list": 8,
    "interventions:rules": 8,
    "interventions:sen": 18,  # the SEN pupils in order, then the page's pupils (a query each)
    "interventions:session_requests": 7,
    "interventions:session_week": 7,
    "interventions:target_group_detail": 10,
    "marksheet_list": 12,
    "marksheet_reopen": 9,
    "marksheet_reopen_request": 10,
    "marksheet_verify": 12,
    "mentoring:allocation": 12,
    "mentoring:compliance": 8,
    "mentoring:mentee": 12,
    "mentoring:mentees": 17,  # the workspace cards: grades, targets, flags, plans, sessions, RAG
    "mentoring:rag_actions": 8,
    "mentoring:rag_home": 12,
    "mentoring:rag_review": 11,
    "mentoring:rag_sheet": 12,
    "point_reopen": 8,
    "pupil_grade_history": 9,
    "pupil_list": 7,
    "reopen_requests": 7,
    "reports:run_detail": 8,
    "reports:run_list": 7,
    "security_log": 9,
    "setup_points": 8,
    "setup_scale": 8,
    "setup_scales": 8,
    "setup_staff": 10,
    "setup_subjects": 8,
    "sheet_history": 10,
    "target_detail": 11,
    "target_overview": 11,
    "target_raises": 7,
}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", sorted({e.name for e in EXPORTS}))
def test_every_export_reads_a_capped_number_of_queries_whatever_the_school_size(
    client, world, name, fmt, django_assert_max_num_queries
):
    export = next(e for e in EXPORTS if e.name == name)
    if export.setup:
        export.setup(world)
    _grow(world)
    cap = EXPORT_CAPS.get(name, 1000)
    seen = _counts_for_each_reader(
        client, world, name, export_url(world, export, fmt), cap, django_assert_max_num_queries
    )
    assert name in EXPORT_CAPS, f"{name}: no export cap yet; counts {sorted(seen, reverse=True)[:3]}"


def _counts_for_each_reader(client, world, name, url, cap, django_assert_max_num_queries):
    """[(queries, persona)] of `url` for every persona the access matrix allows on page `name`, each
    answered 200 within `cap` queries."""
    seen = []
    for persona in sorted(next(row[2] for row in ROWS if row[0] == name)):
        client.force_login(getattr(world, persona).user)
        response, n = _count(client, url, django_assert_max_num_queries, cap)
        assert response.status_code == 200, (persona, url, response.status_code)
        seen.append((n, persona))
    return seen


# url name -> the most queries its "Print (PDF)" (?print=pdf, or a URL of its own) may take for any allowed
# persona: the page on screen, its rows in a fixed number of queries (plus the security log's record).
PRINT_CAPS = {
    "dashboard": 14,  # + the trend through the year (its own figures: other points than the page's)
    "dashboard_attainment8": 14,
    "dashboard_attainment8_pupil": 15,
    # Nobody recommended for mentoring in this world; with every concern source answering, 21
    # (tests/tracking/dashboards/test_pastoral.py)
    "dashboard_transition": 14,
    "dashboard_variation": 15,
    "dashboard_tutor": 16,
    "dashboard_year_lists": 13,
    "interventions:sen": 18,  # as its page: the SEN pupils in order, then the page's pupils
    "interventions:plan_pdf": 9,  # as its page: a count, the page of plans and their subjects
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted({p.name for p in PRINTS}))
def test_every_print_reads_a_capped_number_of_queries_whatever_the_school_size(
    client, world, name, django_assert_max_num_queries
):
    printed = next(p for p in PRINTS if p.name == name)
    printed.setup(world)
    _grow(world)
    cap = PRINT_CAPS.get(name, 1000)
    seen = _counts_for_each_reader(
        client, world, name, print_url(world, printed), cap, django_assert_max_num_queries
    )
    assert name in PRINT_CAPS, f"{name}: no print cap yet; counts {sorted(seen, reverse=True)[:3]}"
