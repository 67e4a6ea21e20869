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
