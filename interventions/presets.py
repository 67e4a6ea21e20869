"""The three policies Uplift ships as rule presets. A school copies them in, picks one and edits it.

Each rule quotes the sentence of its policy it comes from. Where the policy names who acts but no
number (Longfield, Hurworth), the rule starts from a number Uplift suggests and says the school sets
it; the rules page shows "set by your school".

Laude: intervention at subject, key-stage and form-tutor level, with KS5 rules of its own; the form
  tutor's and key-stage coordinator's off-target bands do not overlap (2-3 subjects, 4 or more). The
  policy's second key-stage trigger, below UK 4 in three or more subjects, is not a count of subjects off
  target: a pupil 2-3 subjects off target and below 4 in three has both, as the policy says.
Hurworth: "below target ... will automatically trigger further school intervention"; the raising
  achievement coordinator leads global underachievement.
Longfield: heads of department own subject-specific underachievement, assistant headteachers global.
"""

from django.db import transaction

from .models import InterventionSettings, Kind, Owner, Rule, RulePreset, Scope

GAP = "Below expected now by {diff} grades in {subject} ({grade}; expected now {expected}, target {target})"
BELOW = "Working below grade {threshold} in {subject} ({grade})"
ANY = "Below expected now in {subject} ({grade}; expected now {expected}, target {target})"
COUNT = "Below target in {count} subjects: {subjects}"
COUNT_WELL = "{grades}+ grades below target in {count} subjects: {subjects}"
COUNT_GRADE = "Working below the pass grade in {count} subject(s): {subjects}"
BANDS = "Off target in {count} subject(s): {subjects}"

UK_4_OR_SPANISH_5 = {"gcse": "4", "ten": "5"}
UK_E_OR_SPANISH_5 = {"alevel": "E", "ten": "5"}

LAUDE_DEPARTMENT_LEVEL = (
    'The flag starts at level 1: the policy leaves the level to the department ("At the first '
    "Departmental meeting after a tracking event, each department should decide upon the level of "
    'intervention that each student should receive"), so the head of department sets it on the flag.'
)
SCHOOL_NUMBER = (
    "The policy names who acts but gives no number: Uplift suggests {suggested}; your school sets it."
)

PRESETS = {
    "laude": {
        "name": "Laude (subject, key stage and form tutor)",
        "description": "Laude secondary tracking and target-setting policy. Departments act on a subject "
        "2+ grades below target or below UK 4 / Spanish 5 (KS5: below E) and choose the level; the "
        "key-stage coordinator on 4+ subjects off target or below 4 in 3+ (KS5: 3+ subjects or a U); "
        "the form tutor on 2-3 subjects off target (KS5: 1-2). A pupil has at most one flag per owner.",
        "rules": [
            dict(code="subject-gap", name="Subject: 2+ grades below target", scope=Scope.SUBJECT,
                 kind=Kind.BELOW_TARGET_BY, owner=Owner.HEAD_OF_DEPARTMENT, n=2, level=1,
                 reason_template=GAP,
                 policy_quote="At KS3 and 4 departmental/subject level, intervention should be triggered "
                 "if a student is either: not on target by 2 or more grades, or; is working below UK grade 4 "
                 "or Spanish grade 5. (KS5: the same, or below a UK grade E or Spanish grade 5.)",
                 policy_note=LAUDE_DEPARTMENT_LEVEL),
            dict(code="subject-below-4", name="Subject: below UK 4 / Spanish 5 (KS3-4)",
                 scope=Scope.SUBJECT, kind=Kind.BELOW_GRADE, owner=Owner.HEAD_OF_DEPARTMENT, ks5=False,
                 grade_thresholds=UK_4_OR_SPANISH_5, level=1, reason_template=BELOW,
                 policy_quote="At KS3 and 4 departmental/subject level, intervention should be triggered "
                 "if a student is either: not on target by 2 or more grades, or; is working below UK grade 4 "
                 "or Spanish grade 5.",
                 policy_note=LAUDE_DEPARTMENT_LEVEL),
            dict(code="subject-below-e", name="Subject: below UK E / Spanish 5 (KS5)",
                 scope=Scope.SUBJECT, kind=Kind.BELOW_GRADE, owner=Owner.HEAD_OF_DEPARTMENT, ks3=False,
                 ks4=False, grade_thresholds=UK_E_OR_SPANISH_5, level=1, reason_template=BELOW,
                 policy_quote="At KS5 departmental/subject level, intervention should be triggered if a "
                 "student is either: not on target by 2 or more grades, or; is working below a UK grade E "
                 "or below Spanish grade 5.",
                 policy_note=LAUDE_DEPARTMENT_LEVEL),
            dict(code="ks-off-target", name="Key stage: off target in 4+ subjects (KS3-4)",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_TARGET, owner=Owner.KS_COORDINATOR,
                 ks5=False, n=4, level=2, reason_template=COUNT,
                 policy_quote="If a child is not on-target in four or more subjects then the KS Coordinator "
                 "will investigate further and invite the parents of the student in for a tutorial."),
            dict(code="ks-below-4", name="Key stage: below UK 4 / Spanish 5 in 3+ subjects (KS3-4)",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_GRADE, owner=Owner.KS_COORDINATOR,
                 ks5=False, n=3, grade_thresholds=UK_4_OR_SPANISH_5, level=2, reason_template=COUNT_GRADE,
                 policy_quote="At Key Stage 3 and 4, intervention should be triggered if a student is "
                 "either: not on target in four or more subjects, or; is working below UK grade 4 or below "
                 "Spanish grade 5 in three or more subjects."),
            dict(code="ks5-off-target", name="Key stage 5: off target in 3+ subjects",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_TARGET, owner=Owner.KS_COORDINATOR,
                 ks3=False, ks4=False, n=3, level=2, reason_template=COUNT,
                 policy_quote="At Key Stage 5, intervention should be triggered if a student is either: not "
                 "on target in 2 or more subjects (English and Spanish curriculum subjects) or; is working "
                 "at UK grade U or below Spanish grade 5.",
                 policy_note="The policy also gives the KS5 form tutor students \"off target in 1 or 2 "
                 "subjects\": so that one person acts, the tutor takes 2 subjects and the coordinator "
                 "starts at 3. Set N to 2 to give 2 subjects to both."),
            dict(code="ks5-u", name="Key stage 5: a U, or below Spanish 5",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_GRADE, owner=Owner.KS_COORDINATOR,
                 ks3=False, ks4=False, n=1, grade_thresholds=UK_E_OR_SPANISH_5, level=2,
                 reason_template=COUNT_GRADE,
                 policy_quote="At Key Stage 5, intervention should be triggered if a student is either: not "
                 "on target in 2 or more subjects (English and Spanish curriculum subjects) or; is working "
                 "at UK grade U or below Spanish grade 5."),
            dict(code="tutor-bands", name="Form tutor: off target in 2-3 subjects (KS3-4)",
                 scope=Scope.FORM_TUTOR, kind=Kind.OFF_TARGET_BANDS, owner=Owner.FORM_TUTOR, ks5=False,
                 bands=[[2, 3, 2]], reason_template=BANDS,
                 policy_quote="If a child is not on-target in two or three subjects then the Form Tutor "
                 "needs to investigate further and contact the parents of the student via email or invite "
                 "them in for a tutorial.",
                 policy_note="One subject off target raises no flag (\"If this is the case then there is "
                 "not too much to worry about\"); from four subjects the key-stage coordinator acts."),
            dict(code="tutor-bands-ks5", name="Form tutor: off target in 1-2 subjects (KS5)",
                 scope=Scope.FORM_TUTOR, kind=Kind.OFF_TARGET_BANDS, owner=Owner.FORM_TUTOR, ks3=False,
                 ks4=False, bands=[[1, 1, 1], [2, 2, 2]], reason_template=BANDS,
                 policy_quote="In KS5 the form tutor is responsible for supporting students if they are "
                 "off target in 1 or 2 subjects.",
                 policy_note="Levels as the policy's form-tutor levels: one subject level 1 (a short "
                 "discussion), two subjects level 2 (contact the parents)."),
        ],
    },
    "hurworth": {
        "name": "Hurworth (below target triggers intervention)",
        "description": "Hurworth tracking and mentoring policy (KS3 and KS4). Below target in any "
        "subject triggers intervention by the head of subject; global underachievement goes to the "
        "raising achievement coordinator, from a number of subjects your school sets.",
        "rules": [
            dict(code="any-below", name="Subject: below target", scope=Scope.SUBJECT,
                 kind=Kind.ANY_BELOW_TARGET, owner=Owner.HEAD_OF_DEPARTMENT, ks5=False, level=1,
                 reason_template=ANY,
                 policy_quote="This is recorded as above target ..., on target signifying that a pupil is "
                 "on course to meet the target set or below target which will automatically trigger further "
                 "school intervention in order to raise achievement.",
                 policy_note="The head of subject \"manages intervention strategies for subject specific "
                 "underachievement\". The policy gives no levels: flags start at level 1."),
            dict(code="global", name="Global underachievement: below target in 3+ subjects",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_TARGET, owner=Owner.RAISING_ACHIEVEMENT,
                 ks5=False, n=3, level=2, reason_template=COUNT, set_by_school=True,
                 policy_quote="Raising Achievement Coordinator: Manages intervention strategies for global "
                 "underachievement including liaising with parents, the Raising Achievement Coordinator and "
                 "the Assistant Head Teacher responsible Tracking and Mentoring.",
                 policy_note=SCHOOL_NUMBER.format(suggested="below target in 3 or more subjects")),
        ],
    },
    "longfield": {
        "name": "Longfield (six-week cycle)",
        "description": "Longfield tracking and mentoring policy (KS3 and KS4). Heads of department "
        "manage subject-specific underachievement; assistant headteachers manage global "
        "underachievement. The policy names no thresholds: your school sets them (Uplift suggests "
        "2+ grades below the grade expected now, in a subject or in 3+ subjects).",
        "rules": [
            dict(code="subject-gap", name="Subject: 2+ grades below target", scope=Scope.SUBJECT,
                 kind=Kind.BELOW_TARGET_BY, owner=Owner.HEAD_OF_DEPARTMENT, ks5=False, n=2, level=1,
                 reason_template=GAP, set_by_school=True,
                 policy_quote="The Head of Department: Manage intervention strategies for subject specific "
                 "underachievement including liaising with parents / carers, and the Assistant Headteacher "
                 "responsible for Tracking and Mentoring.",
                 policy_note=SCHOOL_NUMBER.format(suggested="2 or more grades below the grade expected now")),
            dict(code="global", name="Global underachievement: 2+ grades below in 3+ subjects",
                 scope=Scope.KEY_STAGE, kind=Kind.COUNT_BELOW_TARGET, owner=Owner.ASSISTANT_HEAD,
                 ks5=False, n=3, grades_below=2, level=2, reason_template=COUNT_WELL, set_by_school=True,
                 policy_quote="Assistant Headteachers: Manage intervention strategies for global "
                 "underachievement including liaising with staff, parents / carers and pupils.",
                 policy_note=SCHOOL_NUMBER.format(
                     suggested="2 or more grades below the grade expected now in 3 or more subjects (about "
                     "half of all grades sit a grade below at some point, so counting every subject "
                     "below would flag half the school)")),
        ],
    },
}  # fmt: skip

QUOTED = ("policy_quote", "policy_note")


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
        shipped = {rule["code"]: rule for rule in spec["rules"]}
        have = {rule.code: rule for rule in preset.rules.all()}
        # Rules installed before presets quoted their policy learn where they come from.
        unquoted = [rule for code, rule in have.items() if code in shipped and not rule.policy_quote]
        for rule in unquoted:
            for name in QUOTED:
                setattr(rule, name, shipped[rule.code].get(name, ""))
        Rule.objects.bulk_update(unquoted, QUOTED)
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
