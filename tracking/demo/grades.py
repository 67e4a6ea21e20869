"""The demo school's targets and grades: each pupil follows a flight path with realistic noise.

A grade is the grade expected now (the published target less the flight path's gap for the pupil's
year and point, as tracking.standing works it out) plus a pupil's persistent drift, the pupil's
own strength or weakness in the subject, and the noise of one assessment. About half of the
standings are on or above the grade expected now at every point and in every year group, and a
few per cent are well below, concentrated in the pupils who drift furthest: they are the ones the
intervention rules flag.
"""

import bisect
import random
import zlib

from django.db import connection
from django.utils import timezone

from tracking import standing
from tracking.lib.bulk import insert_rows
from tracking.models import (
    GradeEntry,
    Target,
    TargetSource,
    TargetStatus,
)
from tracking.targets.flightpaths import DEFAULT_BANDS

# Whole grades from the grade expected now: mean and spreads (pupil, pupil-in-subject, assessment).
DRIFT_MEAN, DRIFT_PUPIL, DRIFT_SUBJECT, NOISE = -0.47, 0.62, 0.18, 0.22
# How much further a disadvantaged pupil drifts below the flight path than the others, in grades: in
# England disadvantaged pupils make about half a grade a subject less progress from the same KS2
# start (a Progress 8 gap of about -0.4 to -0.6), so leaders' gaps show what a school really sees.
DRIFT_DISADVANTAGED = -0.30
# Where the flight path still expects a long way to go (3-4 grades below target, early in Key
# Stage 3), the grade expected now is the bottom of the scale for pupils with modest targets, and
# nobody falls below the bottom: the others are judged a little more harshly, so every point keeps
# about the same share on track.
EARLY = {4: -0.35, 3: -0.2}
# Years 10-11: the prediction (which counts) reads the same evidence as the working-at grade.
PREDICTED_OVER_CURRENT = 0.3


class GradesBuilder:
    """Mixed into the demo builder: targets, then grades at every past and open point."""

    # -- targets -------------------------------------------------------------------------------
    def _target_step(self, pupil, subject):
        """The target as a continuous level. Year 7's come from the flight path (the targets demo
        generates them so), everyone else's from KS2 with a teacher's adjustment."""
        ks2 = pupil.ks2_mean
        if pupil.year_group.number == 7 and ks2 is not None:
            starts = [low for low, _ in DEFAULT_BANDS]
            grade = DEFAULT_BANDS[max(bisect.bisect_right(starts, ks2) - 1, 0)][1]
            return float(grade)
        if ks2 is None:
            ks2 = 103
        base = 5 + (ks2 - 104) / 4.2
        jitter = random.Random(f"target-{pupil.upn}-{subject.code}").gauss(0, 0.5)
        return base + jitter

    def _value(self, scale_code, level, allow_sub=True):
        """The scale value nearest to a continuous level (in the scale's whole-grade steps)."""
        values = self.values[scale_code]
        if scale_code == "gcse":
            level = min(9.3, max(-0.4, level))
            whole = int(round(level))
            if whole <= 0:
                return next(v for v in values if v.code == "U")
            frac = level - whole
            suffix = "+" if allow_sub and frac > 0.17 else "-" if allow_sub and frac < -0.17 else ""
            code = f"{min(whole, 9)}{suffix}"
            return next(v for v in values if v.code == code)
        top = max(v.step for v in values)
        step = int(min(top, max(0, round(level))))
        return next(v for v in values if v.step == step)

    def _target_grade(self, scale_code, level):
        """A target on a scale: GCSE levels are grades; other scales take their share of grade 9."""
        if scale_code == "gcse":
            return self._value(scale_code, level, allow_sub=False)
        top = max(v.step for v in self.values[scale_code])
        return self._value(scale_code, level * top / 9, allow_sub=False)

    def _targets(self):
        targets = []
        self.target_step = {}
        for pupil in self.pupils:
            for subject in self._subjects_for(pupil, pupil.year_group.number):
                grade = self._target_grade(subject.scale.code, self._target_step(pupil, subject))
                self.target_step[(pupil.pk, subject.pk)] = grade.step
                targets.append(
                    Target(
                        school=self.school,
                        pupil=pupil,
                        subject=subject,
                        grade=grade,
                        source=TargetSource.FLIGHT_PATH,
                        source_detail="National expectations (KS2)",
                        status=TargetStatus.PUBLISHED,
                        published_grade=grade,
                    )
                )
        Target.objects.bulk_create(targets, batch_size=2000)
        self.built.counts["targets"] = len(targets)

    # -- grades --------------------------------------------------------------------------------
    def _places(self):
        """{point id: (year number, index among its year's points, how many)} as standing counts."""
        by_year = {}
        for point in self.points:
            by_year.setdefault((point.academic_year_id, point.year_group_id), []).append(point)
        places = {}
        for points in by_year.values():
            points.sort(key=lambda p: p.sequence)
            for index, point in enumerate(points, start=1):
                places[point.pk] = (point.year_group.number, index, len(points))
        return places

    def _grades(self):
        """History for every closed point; the open window part-filled, the demo teachers' empty."""
        rng = self.rng
        entries = []
        demo_teachers = {self.staff[u].pk for u in ("teacher.maths", "teacher.english", "hod.maths")}
        points_by = {}
        for point in self.points:
            points_by.setdefault((point.academic_year_id, point.year_group.number), []).append(point)
        self.places = self._places()
        self.effort_habit = {}  # pupil id: how far their effort runs from the school's usual
        # Plain rows, not model instances: bulk_create's per-field preparation was most of the seed's
        # grade-building time. The columns a GradeEntry() would have defaulted, set here once.
        self._entry_defaults = {
            "comment": "",
            "verified_current_id": None,
            "verified_predicted_id": None,
            "verified_security": "",
            "verified_effort": None,
            "verified_at": None,
            "version": 1,
            "updated_at": connection.ops.adapt_datetimefield_value(timezone.now()),
            "updated_by_id": None,
        }
        # A pupil's drift from the flight path is persistent, so some sit above, on and below all along.
        # Each year group's drifts are centred on the school's, and its disadvantaged pupils' on theirs,
        # so a small demo's cohorts look alike and every year shows the same disadvantaged gap.
        raw = {p.pk: rng.gauss(0, DRIFT_PUPIL) for p in self.pupils}
        cohorts = {}
        for pupil in self.pupils:
            cohorts.setdefault((pupil.year_group_id, pupil.disadvantaged), []).append(raw[pupil.pk])
        centre = {key: sum(values) / len(values) for key, values in cohorts.items()}
        share = {
            year: len(cohorts.get((year, True), ())) / (len(cohorts.get((year, True), ())) + len(others))
            for (year, disadvantaged), others in cohorts.items()
            if not disadvantaged
        }
        drift = {
            p.pk: DRIFT_MEAN
            + raw[p.pk]
            - centre[p.year_group_id, p.disadvantaged]
            + DRIFT_DISADVANTAGED * (p.disadvantaged - share.get(p.year_group_id, 1))
            for p in self.pupils
        }
        for pupil in self.pupils:
            now = pupil.year_group.number
            for year in self.years:
                number = now - year.offset
                if number < 7:
                    continue
                points = sorted(points_by.get((year.pk, number), []), key=lambda p: p.sequence)
                subjects = self._subjects_for(pupil, number)
                strength = {
                    s.pk: random.Random(f"strength-{pupil.upn}-{s.code}").gauss(0, DRIFT_SUBJECT)
                    for s in subjects
                }
                for point in points:
                    is_open = year.offset == 0 and not point.is_locked and point.opens_on <= self.today
                    if year.offset == 0 and not point.is_locked and not is_open:
                        continue  # future point
                    for subject in subjects:
                        group = self.pupil_groups.get((pupil.pk, subject.pk)) if year.offset == 0 else None
                        if is_open:
                            if group is None or group.teacher.pk in demo_teachers:
                                continue
                            fill = zlib.crc32(group.name.encode()) % 10
                            if fill >= 7 or (fill >= 5 and rng.random() < 0.5):
                                continue
                        off = drift[pupil.pk] + strength[subject.pk]
                        entries.append(self._entry(pupil, subject, point, number, off, group))
        insert_rows(GradeEntry, entries)
        self.built.counts["grade_entries"] = len(entries)

    def _expected(self, pupil, subject, point):
        """(grade expected now as a whole-grade step, the flight path's gap) by tracking.standing's rule."""
        target = self.target_step.get((pupil.pk, subject.pk))
        if target is None:  # a subject dropped since (a Year 10's KS3 history): judged by nothing
            target = self._target_grade(subject.scale.code, self._target_step(pupil, subject)).step
        number, index, count = self.places[point.pk]
        gap = standing.expected_gap(standing.DEFAULT_GAPS, number, index, count)
        return max(target - gap, 0), gap

    def _entry(self, pupil, subject, point, number, off, group):
        rng = self.rng
        expected, gap = self._expected(pupil, subject, point)
        level = expected + off + EARLY.get(gap, 0) + rng.gauss(0, NOISE)
        scale = subject.scale.code
        ks4 = number >= 10
        predicted_level = level + 0.05 + rng.gauss(0, 0.1)
        current_level = predicted_level - PREDICTED_OVER_CURRENT + rng.gauss(0, 0.15) if ks4 else level
        current = self._value(scale, current_level)
        predicted = self._value(scale, predicted_level) if ks4 else None
        frac = predicted_level - round(predicted_level)
        security = ("H" if frac > 0.15 else "L" if frac < -0.15 else "M") if ks4 else ""
        # Effort (1 excellent to 4 poor) is mostly the pupil's habit, a little the subject: about one grade
        # in ten is 3 or 4, gathered in some pupils, as a school sees it (each grade drawn alone put 3 or 4
        # in half the grades and three quarters of a year on the effort-concern list).
        habit = self.effort_habit.get(pupil.pk)
        if habit is None:
            habit = self.effort_habit[pupil.pk] = random.Random(f"effort-{pupil.upn}").gauss(0, 0.35)
        effort = min(4, max(1, round(1.45 + habit - off * 0.5 + rng.gauss(0, 0.4))))
        return {
            "school_id": self.school.pk,
            "pupil_id": pupil.pk,
            "subject_id": subject.pk,
            "point_id": point.pk,
            "teaching_group_id": group.pk if group else None,
            "current_id": current.pk if current else None,
            "predicted_id": predicted.pk if predicted else None,
            "security": security,
            "effort": effort,
            **self._entry_defaults,
        }
