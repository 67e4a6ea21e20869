"""Panels on the home page. Each app adds the panels its roles need in AppConfig.ready()."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    allowed: object  # callable(user) -> bool
    context: object  # callable(user) -> dict, or None to leave the panel out
    order: int = 100


_panels = []


def register(template, allowed, context, order=100):
    _panels.append(Panel(template, allowed, context, order))


def panels_for(user):
    """The panels the user may see, in order. A panel's context may return None: nothing to show (so a
    panel need not ask the database twice, once whether it has anything and again for what)."""
    rendered = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if panel.allowed(user):
            context = panel.context(user)
            if context is not None:
                rendered.append({"template": panel.template, **context})
    return rendered
