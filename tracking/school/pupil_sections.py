"""Sections of the pupil page added by the apps above tracking (interventions adds plans, the week's
sessions and reward points). `register(template, context, order)` where `context(user, pupil)` returns
a dict for the template as `section`, or None to leave the section out for that user.

The page renders them with `{% pupil_sections pupil %}`; each context function decides who may see
what through tracking.permissions, as every view does.

Actions (buttons beside the page's title, where staff look first) are added the same way:
`register_action(context, order)` where `context(user, pupil)` returns {"label", "url"} or None."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    context: object  # callable(user, pupil) -> dict | None
    order: int = 100


_sections = []


def register(template, context, order=100):
    if not any(s.template == template for s in _sections):
        _sections.append(Section(template, context, order))


def sections_for(user, pupil):
    rendered = []
    for section in sorted(_sections, key=lambda s: s.order):
        extra = section.context(user, pupil)
        if extra is not None:
            rendered.append((section.template, extra))
    return rendered


_actions = []


def register_action(context, order=100):
    if not any(c is context for _o, c in _actions):
        _actions.append((order, context))


def actions_for(user, pupil):
    """[{"label", "url"}] of the actions other apps offer this user on this pupil's page."""
    found = []
    for _order, context in sorted(_actions, key=lambda a: a[0]):
        action = context(user, pupil)
        if action is not None:
            found.append(action)
    return found
