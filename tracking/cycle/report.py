"""Sections of a cycle's report page, filled by the apps above tracking (interventions adds what
happened to the flagged pupils). `register(template, context)` where `context(cycle, user)` returns
a dict for the template (return None to leave the section out for that user). The dict may hold
"sheets": a callable giving [(title, headers, rows)] for the report's XLSX download."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    context: object  # callable(cycle, user) -> dict | None
    order: int = 100


_sections = []


def register_section(template, context, order=100):
    _sections.append(Section(template, context, order))


def sections_for(cycle, user):
    rendered = []
    for section in sorted(_sections, key=lambda s: s.order):
        extra = section.context(cycle, user)
        if extra is not None:
            rendered.append({"template": section.template, **extra})
    return rendered
