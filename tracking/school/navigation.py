"""The navigation each role sees. Apps add their own entries in AppConfig.ready()."""

from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    allowed: object  # callable(user) -> bool, usually from tracking.permissions
    order: int = 100
    description: str = ""


_items = []

# A role with more entries than fit in one row (SLT, the data manager) sees them in menus, each named
# for the work it holds. Entries not listed here, and roles with few entries, stay in the row.
SECTIONS = (
    ("Grades", ("marksheet_list", "completion", "master_chooser", "target_overview", "cycle_calendar")),
    ("Pupils", ("pupil_list", "group_list", "dashboard_year_lists", "interventions:sen", "reports:comments")),
    (
        "Support",
        (
            "interventions:flag_list",
            "interventions:plan_list",
            "interventions:session_week",
            "interventions:impact",
            "interventions:agreement_list",
        ),
    ),
    ("Mentoring", ("mentoring:allocation", "mentoring:mentees", "mentoring:slips", "mentoring:rag_home")),
    ("Leaders", ("dashboard", "dashboard_trust", "data_board_settings", "reports:run_list")),
    ("School", ("setup_home", "import_list", "failed_tasks", "security_log", "admin:index")),
)
ROW_LIMIT = 10  # entries that fit in one row at 1280 px


# The modules that decide access (tracking.permissions and each app's access rules built on it): an
# entry is shown to exactly those its page lets in, so it asks the same rule the page asks.
ACCESS_MODULES = ("tracking.permissions.",)
ACCESS_MODULE_ENDINGS = (".access",)


def register(label, url_name, allowed, order=100, description=""):
    module = getattr(allowed, "__module__", "") or ""
    if not (module.startswith(ACCESS_MODULES) or module.endswith(ACCESS_MODULE_ENDINGS)):
        raise ValueError(f"nav entry {label!r}: `allowed` must be a permissions rule, not from {module!r}")
    _items.append(NavItem(label, url_name, allowed, order, description))


def items_for(user):
    if not user.is_authenticated:
        return []
    return [item for item in sorted(_items, key=lambda i: i.order) if item.allowed(user)]


def groups_for(entries):
    """The entries as the header shows them: [(menu label or None, [entries])]. With ROW_LIMIT or fewer,
    one row of links; otherwise each section with two or more entries becomes a menu, in section order,
    after the entries that belong to none. A menu holding the current page says so."""
    if len(entries) <= ROW_LIMIT:
        return [{"label": None, "entries": entries, "active": False}]
    section_of = {name: label for label, names in SECTIONS for name in names}
    loose, grouped = [], {label: [] for label, _ in SECTIONS}
    for entry in entries:
        label = section_of.get(entry["name"])
        (grouped[label] if label else loose).append(entry)
    groups = [(None, loose)] if loose else []
    for label, members in grouped.items():
        if len(members) == 1:
            groups.append((None, members))
        elif members:
            groups.append((label, members))
    return [
        {"label": label, "entries": members, "active": any(e["active"] for e in members)}
        for label, members in groups
    ]


def nav_for(request):
    """The user's entries; the one whose address is the longest start of this page's is marked active
    (so /dashboard/year-lists/ marks "Year lists", not "Dashboard" too)."""
    path = request.path
    entries = []
    prefix, urlconf = get_script_prefix(), get_urlconf()
    for item in items_for(request.user):
        url = _url(item.url_name, prefix, urlconf)
        entries.append(
            {
                "label": item.label,
                "name": item.url_name,
                "url": url,
                "active": False,
                "description": item.description,
            }
        )
    matches = [e for e in entries if (path == e["url"] if e["url"] == "/" else path.startswith(e["url"]))]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return entries


@lru_cache(maxsize=256)
def _url(url_name, prefix, urlconf):
    """An entry's address, reversed once (every page's header reversed some twenty-five of them)."""
    return reverse(url_name, urlconf=urlconf)
