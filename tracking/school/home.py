"""Panels on the home page. Each app adds the panels its roles need in AppConfig.ready()."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    allowed: object  # callable(user) -> bool
    context: object  # callable(user) -> dict
    order: int = 100


_panels = []


def register(template, allowed, context, order=100):
    _panels.append(Panel(template, allowed, context, order))


def panels_for(user):
    rendered = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if panel.allowed(user):
            rendered.append({"template": panel.template, **panel.context(user)})
    return rendered
