"""The navigation each role sees. Apps add their own entries in AppConfig.ready()."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    allowed: object  # callable(user) -> bool, usually from tracking.permissions
    order: int = 100
    description: str = ""


_items = []


def register(label, url_name, allowed, order=100, description=""):
    _items.append(NavItem(label, url_name, allowed, order, description))


def items_for(user):
    if not user.is_authenticated:
        return []
    return [item for item in sorted(_items, key=lambda i: i.order) if item.allowed(user)]


def nav_for(request):
    path = request.path
    entries = []
    for item in items_for(request.user):
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        entries.append({"label": item.label, "url": url, "active": active, "description": item.description})
    return entries
