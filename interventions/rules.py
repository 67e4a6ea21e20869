"""The rule logic, as pure functions over plain data, so it can be tested without a database.

`evaluate(pupil_facts, rules)` answers "which flags does this pupil need under these rules?".
Grades and targets are compared in whole-grade steps (5+, 5 and 5- are all step 5), as
tracking.lib.grading.progress does.
"""

import string
from dataclasses import dataclass, field, replace

SUBJECT, KEY_STAGE, FORM_TUTOR = "subject", "key_stage", "form_tutor"
BELOW_TARGET_BY = "below_target_by"
BELOW_GRADE = "below_grade"
ANY_BELOW_TARGET = "any_below_target"
COUNT_BELOW_TARGET = "count_below_target"
COUNT_BELOW_GRADE = "count_below_grade"
OFF_TARGET_BANDS = "off_target_bands"

# {expected}: the grade expected now, which the rules judge against (tracking.standing); {target}: the
# published end-of-key-stage target, shown beside it so a reason never calls one the other.
PLACEHOLDERS = (
    "subject", "grade", "expected", "target", "diff", "threshold", "count", "subjects", "n", "grades",
)  # fmt: skip


@dataclass(frozen=True)
class RuleSpec:
    id: int
    scope: str
    kind: str
    key_stages: frozenset = frozenset({3, 4, 5})
    n: int = 1
    # {scale code: (threshold step, threshold code)}: a grade whose step is below counts.
    thresholds: dict = field(default_factory=dict)
    bands: tuple = ()  # ((min, max or None, level), ...)
    level: int = 1
    reason_template: str = ""
    # Counting rules: how many grades below target a subject must be to count (1: any below).
    grades: int = 1


@dataclass(frozen=True)
class SubjectFact:
    subject_id: int
    subject_name: str
    scale: str
    grade_code: str | None
    grade_step: int | None
    expected_code: str | None = None  # the grade expected now: what the rules judge against
    expected_step: int | None = None
    target_code: str | None = None  # the published target, for the reason's words only

    @property
    def gap(self):
        """Whole grades below the grade expected now (positive) or above (negative); None without both."""
        if self.grade_step is None or self.expected_step is None:
            return None
        return self.expected_step - self.grade_step


@dataclass(frozen=True)
class PupilFacts:
    pupil_id: int
    key_stage: int
    subjects: tuple = ()


@dataclass(frozen=True)
class FlagProposal:
    pupil_id: int
    rule_id: int
    scope: str
    subject_id: int | None
    level: int
    reason: str
    # Every rule that caught the pupil for this owner level, the flag's own rule first.
    rule_ids: tuple = ()


def _template_parts(template):
    """(literal text, placeholder name or None) pairs; ValueError for a stray brace."""
    return [(literal, name) for literal, name, _spec, _conversion in string.Formatter().parse(template)]


def render_reason(template, **values):
    """Fill a reason template's named placeholders; unknown ones render empty rather than failing a run.

    Only bare names are filled: no attribute or index lookups and no format specs, so a stored
    template can never reach into an object or build a huge string (str.format would).
    "subject(s)" in a template reads "subject" or "subjects" to agree with {count}.
    """
    try:
        parts = _template_parts(template)
    except ValueError:
        return template.strip()
    text = "".join(literal + ("" if name is None else str(values.get(name, ""))) for literal, name in parts)
    text = text.strip()
    count = values.get("count")
    if isinstance(count, int):
        text = text.replace("subject(s)", "subject" if count == 1 else "subjects")
    return text


def band_level(bands, count):
    for low, high, level in bands:
        if count >= low and (high is None or count <= high):
            return level
    return None


def _below_threshold(fact, thresholds):
    threshold = thresholds.get(fact.scale)
    if threshold is None or fact.grade_step is None:
        return None
    step, code = threshold
    return code if fact.grade_step < step else None


def _subject_proposals(facts, rule):
    for fact in facts.subjects:
        gap = fact.gap
        threshold = None
        if rule.kind == BELOW_TARGET_BY:
            hit = gap is not None and gap >= max(rule.n, 1)
        elif rule.kind == ANY_BELOW_TARGET:
            hit = gap is not None and gap >= 1
        elif rule.kind == BELOW_GRADE:
            threshold = _below_threshold(fact, rule.thresholds)
            hit = threshold is not None
        else:
            hit = False
        if hit:
            reason = render_reason(
                rule.reason_template,
                subject=fact.subject_name,
                grade=fact.grade_code or "",
                expected=fact.expected_code or "",
                target=fact.target_code or "",
                diff=gap if gap is not None else "",
                threshold=threshold or "",
                n=rule.n,
            )
            yield FlagProposal(facts.pupil_id, rule.id, rule.scope, fact.subject_id, rule.level, reason)


def _count_proposal(facts, rule):
    if rule.kind == COUNT_BELOW_GRADE:
        hits = [f for f in facts.subjects if _below_threshold(f, rule.thresholds) is not None]
    else:
        by = max(rule.grades, 1) if rule.kind == COUNT_BELOW_TARGET else 1
        hits = [f for f in facts.subjects if f.gap is not None and f.gap >= by]
    count = len(hits)
    if rule.kind == OFF_TARGET_BANDS:
        level = band_level(rule.bands, count) if count else None
    else:
        level = rule.level if count >= max(rule.n, 1) else None
    if level is None:
        return None
    names = ", ".join(sorted(f.subject_name for f in hits))
    reason = render_reason(rule.reason_template, count=count, subjects=names, n=rule.n, grades=rule.grades)
    return FlagProposal(facts.pupil_id, rule.id, rule.scope, None, level, reason)


def evaluate(pupil_facts, rules):
    """The flags the rules raise for one pupil: at most one per owner level (each subject's
    department, the key stage, the form tutor), in rule order."""
    proposals = []
    for rule in rules:
        if pupil_facts.key_stage not in rule.key_stages:
            continue
        if rule.kind in (BELOW_TARGET_BY, BELOW_GRADE, ANY_BELOW_TARGET):
            proposals.extend(_subject_proposals(pupil_facts, rule))
        else:
            proposal = _count_proposal(pupil_facts, rule)
            if proposal is not None:
                proposals.append(proposal)
    return merge_per_owner(proposals)


def merge_per_owner(proposals):
    """One flag per owner level: where several rules catch a pupil for the same owner (two grades
    below target and below grade 4 in one subject; off target in 4+ subjects and below 4 in 3), the
    first rule's flag carries every reason at the highest level, so nobody is asked twice."""
    merged = {}
    for proposal in proposals:
        key = (proposal.scope, proposal.subject_id)
        first = merged.get(key)
        if first is None:
            merged[key] = replace(proposal, rule_ids=(proposal.rule_id,))
        else:
            merged[key] = replace(
                first,
                level=max(first.level, proposal.level),
                reason=f"{first.reason}; {proposal.reason}" if proposal.reason else first.reason,
                rule_ids=(*first.rule_ids, proposal.rule_id),
            )
    return list(merged.values())


def parse_bands(text):
    """'1:1, 2-3:2, 4+:3' -> ((1, 1, 1), (2, 3, 2), (4, None, 3)); ValueError with a human message."""
    bands = []
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        try:
            counts, level = (s.strip() for s in part.split(":"))
            level = int(level)
            if counts.endswith("+"):
                low, high = int(counts[:-1]), None
            elif "-" in counts:
                low, high = (int(s) for s in counts.split("-"))
            else:
                low = high = int(counts)
        except ValueError:
            raise ValueError(f"'{part}' is not a band: write subjects:level, e.g. 1:1, 2-3:2, 4+:3") from None
        if low < 1 or (high is not None and high < low):
            raise ValueError(f"'{part}': the number of subjects must start at 1 and not run backwards")
        if level not in (1, 2, 3):
            raise ValueError(f"'{part}': the level must be 1, 2 or 3")
        bands.append((low, high, level))
    # An open-ended band sorts after a closed one starting at the same count ("4+" and "4" overlap).
    bands.sort(key=lambda band: (band[0], band[1] is None, band[1] or 0, band[2]))
    for (_, high, _), (low, _, _) in zip(bands, bands[1:], strict=False):
        if high is None or high >= low:
            raise ValueError("Bands overlap: each number of subjects may fall in one band only")
    return tuple(bands)


def format_bands(bands):
    parts = []
    for low, high, level in bands:
        counts = f"{low}+" if high is None else (f"{low}" if low == high else f"{low}-{high}")
        parts.append(f"{counts}:{level}")
    return ", ".join(parts)


def check_template(template):
    """A ValueError unless the template uses only named placeholders ({subjects}, {count}, ...)."""
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        raise ValueError("The reason has a stray { or }: placeholders look like {subject}.") from None
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            raise ValueError(f"Placeholders are bare names: {shown[:40]} is not allowed. Use: {allowed}.")
        if name not in PLACEHOLDERS:
            raise ValueError(f"Unknown placeholder {{{name[:40]}}}. Use: {allowed}.")
