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
    """The user's entries; the one whose address is the longest start of this page's is marked active
    (so /dashboard/year-lists/ marks "Year lists", not "Dashboard" too)."""
    path = request.path
    entries = []
    for item in items_for(request.user):
        url = reverse(item.url_name)
        entries.append({"label": item.label, "url": url, "active": False, "description": item.description})
    matches = [e for e in entries if (path == e["url"] if e["url"] == "/" else path.startswith(e["url"]))]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return entries
