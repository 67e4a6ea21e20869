from django import template

from tracking.lib.grading import progress_label

register = template.Library()


@register.inclusion_tag("_progress.html")
def progress_badge(progress, school):
    """A traffic light in the school's own words, with a shape and text as well as colour."""
    return {
        "status": progress.status,
        "diff": progress.diff,
        "label": "No target set" if progress.no_target else progress_label(progress.status, school),
    }


@register.simple_tag(takes_context=True)
def pupil_sections(context, pupil):
    """The sections other apps add to the pupil page (see tracking.school.pupil_sections)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from tracking.school.pupil_sections import sections_for

    request = context.get("request")
    parts = [
        render_to_string(
            template, {"section": extra, "pupil": pupil, "school": pupil.school}, request=request
        )
        for template, extra in sections_for(request.user, pupil)
    ]
    return mark_safe("".join(parts))
