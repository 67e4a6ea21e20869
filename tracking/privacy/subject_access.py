"""A subject access export: every record Uplift holds about one pupil, as JSON files and a readable PDF.

Records are found by walking every relation that points at the pupil, so a table added later (plans,
sessions, RAG ratings, reports) is in the export without anyone remembering to add it.
"""

import io
import json
import zipfile

from django.core import serializers
from django.utils import timezone

from tracking import audit
from tracking.lib.pdf import render_pdf
from tracking.models import Pupil

README = """Subject access export from Uplift for {name} (UPN {upn}), {school}.
Made {when} by {by}.

pupil.json       the pupil's own record, their school, guardians and teaching groups
records/*.json   every other record that refers to the pupil, one file per kind of record
                 (grades, targets, flags, plans, meetings, audit entries ...), in Django's JSON format:
                 each record's table ("model"), its number ("pk") and its fields; other people are
                 referred to by number
summary.pdf      a readable summary for the family
"""


def _relations():
    """(model, lookup) for every table that refers to a pupil, directly or many-to-many."""
    found = []
    for field in Pupil._meta.get_fields(include_hidden=True):
        if not field.is_relation or not field.auto_created or field.concrete:
            continue
        model = field.related_model
        if model._meta.auto_created:  # the hidden table behind a plain many-to-many
            continue
        found.append((model, field.field.name))
    return sorted(found, key=lambda item: item[0]._meta.label_lower)


def records_for(pupil):
    """{"app.model": queryset} of every record that refers to the pupil (empty kinds left out)."""
    records = {}
    for model, lookup in _relations():
        queryset = model._default_manager.filter(**{lookup: pupil}).distinct().order_by("pk")
        if queryset.exists():
            records.setdefault(model._meta.label_lower, queryset)
    return records


def _pupil_document(pupil):
    document = json.loads(serializers.serialize("json", [pupil]))[0]
    document["school"] = pupil.school.name
    document["year_group"] = str(pupil.year_group)
    document["form"] = str(pupil.form) if pupil.form_id else None
    document["guardians"] = [
        {
            "name": link.guardian.user.get_full_name(),
            "email": link.guardian.user.email,
            "relationship": link.relationship,
        }
        for link in pupil.guardianlink_set.select_related("guardian__user")
    ]
    document["teaching_groups"] = [
        {"name": g.name, "subject": g.subject.name, "year": str(g.academic_year)}
        for g in pupil.teaching_groups.select_related("subject", "academic_year")
    ]
    return document


def subject_access_export(*, pupil, by):
    """(file name, ZIP bytes) for one pupil; the export itself is audited."""
    now = timezone.now()
    records = records_for(pupil)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                name=pupil.full_name,
                upn=pupil.upn,
                school=pupil.school.name,
                when=timezone.localtime(now).strftime("%d %B %Y %H:%M"),
                by=by.get_full_name() or by.username,
            ),
        )
        archive.writestr("pupil.json", json.dumps(_pupil_document(pupil), indent=2, default=str))
        for label, queryset in records.items():
            archive.writestr(f"records/{label}.json", serializers.serialize("json", queryset, indent=2))
        counts = [
            {"kind": queryset.model._meta.verbose_name_plural.capitalize(), "count": queryset.count()}
            for queryset in records.values()
        ]
        archive.writestr(
            "summary.pdf",
            render_pdf(
                "tracking/privacy/summary_pdf.html",
                {
                    "pupil": pupil,
                    "document": _pupil_document(pupil),
                    "counts": counts,
                    "made_at": now,
                    "by": by,
                },
            ),
        )
    audit.record(
        action="tracking.pupil.subject_access_export",
        obj=pupil,
        by=by,
        pupil=pupil,
        via="subject access",
        after={"files": 3 + len(records), "kinds": sorted(records)},
    )
    return f"subject-access-{pupil.upn}-{now:%Y%m%d}.zip", buffer.getvalue()
