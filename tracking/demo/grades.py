"""The demo school's targets and grades: each pupil follows a flight path with realistic noise."""

import random
import zlib

from tracking.models import (
    GradeEntry,
    Target,
    TargetSource,
    TargetStatus,
)


class GradesBuilder:
    """Mixed into the demo builder: targets, then grades at every past and open point."""

    # -- targets and grades --------------------------------------------------------------------
    def _target_step(self, pupil, subject):
        ks2 = pupil.ks2_mean if hasattr(pupil, "ks2_mean") else None
        if ks2 is None:
            ks2 = 103
        base = 5 + (ks2 - 104) / 4.2
        jitter = random.Random(f"target-{pupil.upn}-{subject.code}").gauss(0, 0.5)
        return base + jitter

    def _value(self, scale_code, level, allow_sub=True):
        """The scale value nearest to a continuous level (in whole-grade steps)."""
        values = self.values[scale_code]
        if scale_code == "gcse":
            level = min(9.3, max(0.6, level))
            whole = int(round(level))
            if whole <= 0:
                return next(v for v in values if v.code == "U")
            frac = level - whole
            suffix = "+" if allow_sub and frac > 0.17 else "-" if allow_sub and frac < -0.17 else ""
            code = f"{min(whole, 9)}{suffix}"
            return next(v for v in values if v.code == code)
        top = max(v.step for v in values)
        step = int(min(top, max(0, round(level * top / 9))))
        return next(v for v in values if v.step == step)

    def _targets(self):
        targets = []
        self.pupil_level = {}
        for pupil in self.pupils:
            for subject in self._subjects_for(pupil, pupil.year_group.number) + (
                [] if pupil.year_group.number >= 10 else []
            ):
                level = self._target_step(pupil, subject)
                grade = self._value(subject.scale.code, level, allow_sub=False)
                self.pupil_level[(pupil.pk, subject.pk)] = level
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

    def _grades(self):
        """History for every closed point; the open window part-filled, the demo teachers' empty."""
        rng = self.rng
        entries = []
        demo_teachers = {self.staff[u].pk for u in ("teacher.maths", "teacher.english", "hod.maths")}
        points_by = {}
        for point in self.points:
            points_by.setdefault((point.academic_year_id, point.year_group.number), []).append(point)
        # A pupil's drift from target is persistent, so some sit above, on and below all along.
        drift = {p.pk: rng.gauss(0, 0.8) for p in self.pupils}
        for pupil in self.pupils:
            now = pupil.year_group.number
            for year in self.years:
                number = now - year.offset
                if number < 7:
                    continue
                points = sorted(points_by.get((year.pk, number), []), key=lambda p: p.sequence)
                subjects = self._subjects_for(pupil, number)
                n_points = len(points)
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
                        entries.append(self._entry(pupil, subject, point, number, n_points, drift, group))
        GradeEntry.objects.bulk_create(entries, batch_size=5000)
        self.built.counts["grade_entries"] = len(entries)

    def _entry(self, pupil, subject, point, number, n_points, drift, group):
        rng = self.rng
        target_level = self.pupil_level.get((pupil.pk, subject.pk)) or self._target_step(pupil, subject)
        # Progress through secondary school as a fraction: KS3 grades climb toward the KS4 target.
        through = ((number - 7) + point.sequence / n_points) / 5
        ks3_gap = max(0.0, (0.8 - through)) * 3.2 if number <= 9 else 0
        level = target_level + drift[pupil.pk] * min(1, through * 1.5) - ks3_gap + rng.gauss(0, 0.45)
        predicted_level = target_level + drift[pupil.pk] + rng.gauss(0, 0.35)
        scale = subject.scale.code
        current = self._value(scale, level)
        predicted = self._value(scale, predicted_level) if number >= 10 else None
        frac = predicted_level - round(predicted_level)
        security = ("H" if frac > 0.15 else "L" if frac < -0.15 else "M") if number >= 10 else ""
        effort = min(4, max(1, round(2.2 - drift[pupil.pk] * 0.6 + rng.gauss(0, 0.6))))
        return GradeEntry(
            school=self.school,
            pupil=pupil,
            subject=subject,
            point=point,
            teaching_group=group,
            current=current,
            predicted=predicted,
            security=security,
            effort=effort,
        )
