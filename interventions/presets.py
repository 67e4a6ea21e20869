"""The three policies Uplift ships as rule presets. A school copies them in, picks one and edits it.

Laude: intervention at subject, key-stage and form-tutor level, with KS5 rules of its own.
Hurworth: "below target ... will automatically trigger further school intervention".
Longfield: heads of department own subject underachievement, heads of year global underachievement.
"""

from django.db import transaction

from .models import InterventionSettings, Kind, Owner, Rule, RulePreset, Scope

GAP = "Below target by {diff} grades in {subject} ({grade} vs target {target})"
BELOW = "Working below grade {threshold} in {subject} ({grade})"
ANY = "Below target in {subject} ({grade} vs target {target})"
COUNT = "Below target in {count} subjects: {subjects}"
COUNT_GRADE = "Working below the pass grade in {count} subjects: {subjects}"
BANDS = "Off target in {count} subject(s): {subjects}"

UK_4_OR_SPANISH_5 = {"gcse": "4", "ten": "5"}
UK_E_OR_SPANISH_5 = {"alevel": "E", "ten": "5"}

PRESETS = {
    "laude": {
        "name": "Laude (subject, key stage and form tutor)",
        "description": "Laude secondary tracking policy: subject level (2+ grades below target, or below "
        "UK 4 / Spanish 5; KS5 below E), key-stage level (off target in 4+ subjects or below 4 in 3+; "
        "KS5 2+ subjects or a U), form tutor level 1 for one subject off target, level 2 for 2-3.",
        "rules": [
            dict(code="subject-gap", name="Subject: 2+ grades below target", scope=Scope.SUBJECT,
                 kind=Kind.BELOW_TARGET_BY, owner=Owner.HEAD_OF_DEPARTMENT, n=2, level=2,
                 reason_template=GAP),
            dict(code="subject-below-4", name="Subject: below UK 4 / Spanish 5 (KS3-4)",
                 scope=Scope.SUBJECT, kind=Kind.BELOW_GRADE, owner=Owner.HEAD_OF_DEPARTMENT, ks5=False,
                 grade_thresholds=UK_4_OR_SPANISH_5, level=1, reason_template=BELOW),
            dict(code="subject-below-e", name="Subject: below UK E / Spanish 5 (KS5)",
                 scope=Scope.SUBJECT, kind=Kind.BELOW_GRADE, owner=Owner.HEAD_OF_DEPARTMENT, ks3=False,
                 ks4=False, grade_thresholds=UK_E_OR_SPANISH_5, level=1, reason_template=BELOW),
            dict(code="ks-off-target", name="Key stage: off target in 4+ subjects (KS3-4)",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_TARGET, owner=Owner.KS_COORDINATOR,
                 ks5=False, n=4, level=2, reason_template=COUNT),
            dict(code="ks-below-4", name="Key stage: below UK 4 / Spanish 5 in 3+ subjects (KS3-4)",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_GRADE, owner=Owner.KS_COORDINATOR,
                 ks5=False, n=3, grade_thresholds=UK_4_OR_SPANISH_5, level=2, reason_template=COUNT_GRADE),
            dict(code="ks5-off-target", name="Key stage 5: off target in 2+ subjects",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_TARGET, owner=Owner.KS_COORDINATOR,
                 ks3=False, ks4=False, n=2, level=2, reason_template=COUNT),
            dict(code="ks5-u", name="Key stage 5: a U, or below Spanish 5",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_GRADE, owner=Owner.KS_COORDINATOR,
                 ks3=False, ks4=False, n=1, grade_thresholds=UK_E_OR_SPANISH_5, level=2,
                 reason_template=COUNT_GRADE),
            dict(code="tutor-bands", name="Form tutor: off target in 1 (level 1) or 2-3 subjects (level 2)",
                 scope=Scope.FORM_TUTOR, kind=Kind.OFF_TARGET_BANDS, owner=Owner.FORM_TUTOR,
                 bands=[[1, 1, 1], [2, 3, 2]], reason_template=BANDS),
        ],
    },
    "hurworth": {
        "name": "Hurworth (below target triggers intervention)",
        "description": "Hurworth tracking policy: below target in any subject automatically triggers "
        "intervention by the head of department; below target in 3+ subjects is global "
        "underachievement for the head of year.",
        "rules": [
            dict(code="any-below", name="Subject: below target", scope=Scope.SUBJECT,
                 kind=Kind.ANY_BELOW_TARGET, owner=Owner.HEAD_OF_DEPARTMENT, level=1, reason_template=ANY),
            dict(code="global", name="Global underachievement: below target in 3+ subjects",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_TARGET, owner=Owner.HEAD_OF_YEAR, n=3,
                 level=2, reason_template=COUNT),
        ],
    },
    "longfield": {
        "name": "Longfield (six-week cycle)",
        "description": "Longfield tracking policy: heads of department act on 2+ grades below target "
        "and on KS4 pupils below grade 4; heads of year on 4+ subjects below target; form tutors by "
        "number of subjects off target (1: level 1, 2-3: level 2, 4+: level 3).",
        "rules": [
            dict(code="subject-gap", name="Subject: 2+ grades below target", scope=Scope.SUBJECT,
                 kind=Kind.BELOW_TARGET_BY, owner=Owner.HEAD_OF_DEPARTMENT, n=2, level=2,
                 reason_template=GAP),
            dict(code="subject-below-4", name="Subject: below grade 4 (KS4)", scope=Scope.SUBJECT,
                 kind=Kind.BELOW_GRADE, owner=Owner.HEAD_OF_DEPARTMENT, ks3=False, ks5=False,
                 grade_thresholds={"gcse": "4"}, level=1, reason_template=BELOW),
            dict(code="global", name="Head of year: below target in 4+ subjects", scope=Scope.KEY_STAGE,
                 kind=Kind.COUNT_BELOW_TARGET, owner=Owner.HEAD_OF_YEAR, n=4, level=3,
                 reason_template=COUNT),
            dict(code="tutor-bands", name="Form tutor: level by subjects off target",
                 scope=Scope.FORM_TUTOR, kind=Kind.OFF_TARGET_BANDS, owner=Owner.FORM_TUTOR,
                 bands=[[1, 1, 1], [2, 3, 2], [4, None, 3]], reason_template=BANDS),
        ],
    },
}  # fmt: skip


@transaction.atomic
def install_presets(school, activate=None):
    """Copy the shipped presets into a school; safe to run again (rules a school edited are kept).

    `activate` (a preset code) becomes the active preset unless the school has chosen one already.
    Returns {code: RulePreset}.
    """
    installed = {}
    for code, spec in PRESETS.items():
        preset, _ = RulePreset.objects.get_or_create(
            school=school, code=code, defaults={"name": spec["name"], "description": spec["description"]}
        )
        have = set(preset.rules.values_list("code", flat=True))
        Rule.objects.bulk_create(
            [
                Rule(preset=preset, order=order, **rule)
                for order, rule in enumerate(spec["rules"], start=1)
                if rule["code"] not in have
            ]
        )
        installed[code] = preset
    settings, _ = InterventionSettings.objects.get_or_create(school=school)
    if activate and settings.active_preset_id is None:
        settings.active_preset = installed[activate]
        settings.save(update_fields=["active_preset"])
    return installed
