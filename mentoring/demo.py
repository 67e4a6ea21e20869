"""Demo data for mentoring: the `mentor` login mentors a dozen Year 11 pupils, others the rest."""

from tracking.models import Role, StaffRole

from .models import MentorAssignment


def add_demo_mentoring(sender, built, **kwargs):
    staff = built.staff
    y11 = [p for p in built.pupils if p.year_group.number == 11]
    mentors = [staff["mentor"]] + [s for name, s in sorted(staff.items()) if name.startswith("staff")][:24]
    StaffRole.objects.bulk_create([StaffRole(staff=m, role=Role.MENTOR) for m in mentors[1:]])
    # The demo parent's Year 11 child is one of `mentor`'s mentees so every story joins up.
    family_child = built.family["parent"][0]
    ordered = [family_child] + [p for p in y11 if p.pk != family_child.pk]
    assignments = []
    for index, pupil in enumerate(ordered):
        mentor = mentors[0] if index < 12 else mentors[1 + (index - 12) % (len(mentors) - 1)]
        assignments.append(
            MentorAssignment(
                school=built.school, academic_year=built.current_year, mentor=mentor, pupil=pupil
            )
        )
    MentorAssignment.objects.bulk_create(assignments)
    built.counts["mentees"] = len(assignments)
