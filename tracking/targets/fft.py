"""Reading an FFT estimates export: one row per pupil per subject (UPN, subject code, estimate grade)."""

from tracking.lib.grading import SubjectGrades
from tracking.mis.columns import Column
from tracking.mis.uploads import UploadRejected, read_upload
from tracking.models import Pupil

FFT_LABELS = (
    ("FFT5", "FFT5 (top 5% progress)"),
    ("FFT20", "FFT20 (top 20% progress)"),
    ("FFT50", "FFT50 (average progress)"),
    ("FFT Type D", "FFT Type D"),
)
COLUMNS = (
    Column("upn", "UPN", True),
    Column("subject", "Subject code", True, ("subject", "code")),
    Column("grade", "Estimate grade", True, ("estimate", "grade")),
)


def fft_parse(*, school, year_group, upload):
    """{(pupil_id, subject_id): GradeValue} for a year group, or UploadRejected listing every bad line."""
    lines, errors = read_upload(upload, columns=COLUMNS)
    pupils = {
        upn.upper(): (pk, year_id)
        for pk, upn, year_id in Pupil.objects.filter(school=school, is_active=True).values_list(
            "pk", "upn", "year_group_id"
        )
    }
    grades = SubjectGrades(school)
    estimates = {}
    for number, row in lines:
        problems = []
        upn = row["upn"].strip().upper()
        pupil = pupils.get(upn)
        if pupil is None:
            problems.append(f"no pupil with UPN '{upn}'" if upn else "UPN is blank")
        elif pupil[1] != year_group.pk:
            problems.append(f"pupil {upn} is not in {year_group}")
        subject = grades.subject(row["subject"])
        if subject is None:
            problems.append(f"unknown subject code '{row['subject'].strip()}'")
        grade = None
        if subject is not None:
            grade, problem = grades.grade(subject, row["grade"], blank="estimate grade is blank")
            if problem:
                problems.append(problem)
        if pupil is not None and subject is not None and not problems:
            key = (pupil[0], subject.pk)
            if key in estimates:
                problems.append(f"{upn} {subject.code} appears twice")
            estimates[key] = grade
        if problems:
            errors.append((number, "; ".join(problems)))
    if errors:
        raise UploadRejected(sorted(errors))
    if not estimates:
        raise UploadRejected([(1, "the file has a header but no rows")])
    return estimates
