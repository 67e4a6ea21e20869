"""Which column of a school's file fills which field: guessed from the header, chosen by the data manager
on the page, and remembered per school and kind of import."""

import re
from dataclasses import dataclass

from tracking.models import ImportMapping

FORMULA_STARTS = ("=", "@")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool = False
    aliases: tuple = ()
    help: str = ""


def _key(header):
    return re.sub(r"[^a-z0-9]", "", header.lower())


def saved_mapping(school, kind):
    found = ImportMapping.objects.filter(school=school, kind=kind).first()
    return dict(found.columns) if found else {}


def remember_mapping(*, school, kind, mapping, by):
    ImportMapping.objects.update_or_create(
        school=school, kind=kind, defaults={"columns": mapping, "updated_by": by}
    )


def guess_mapping(columns, header, saved):
    """{field: header} from the school's saved mapping where its header is in the file, else by name."""
    present = {_key(h): h for h in header if h}
    mapping = {}
    for column in columns:
        chosen = saved.get(column.name)
        if chosen is not None and _key(chosen) in present:
            mapping[column.name] = present[_key(chosen)]
            continue
        if chosen == "":  # the data manager said this file has no such column
            continue
        for alias in (column.name, column.label, *column.aliases):
            if _key(alias) in present:
                mapping[column.name] = present[_key(alias)]
                break
    return mapping


def missing_columns(columns, mapping):
    return [c for c in columns if c.required and not mapping.get(c.name)]


def mapping_problems(columns, mapping, header):
    """Why a mapping cannot be used with this file's header: [(where, message)]."""
    keys = {_key(h) for h in header}
    problems = [
        ("Columns", f"choose the column that holds {c.label.lower()} (the file has none named like it)")
        for c in missing_columns(columns, mapping)
    ]
    for chosen in mapping.values():
        if chosen and _key(chosen) not in keys:
            problems.append(("Columns", f"the file has no column '{chosen}'"))
    used = [h for h in mapping.values() if h]
    for header_name in sorted({h for h in used if used.count(h) > 1}):
        problems.append(("Columns", f"the column '{header_name}' is chosen for more than one field"))
    return problems


class RowReader:
    """Cells of one row by field name, through the mapping; remembers each problem with its line."""

    def __init__(self, header, mapping):
        index = {_key(h): i for i, h in enumerate(header)}
        self.where = {name: (index[_key(h)], h) for name, h in mapping.items() if h}

    def has(self, name):
        return name in self.where

    def values(self, number, cells, problems):
        """{field: stripped text} for one row; formulas are refused (a problem), never read."""
        values = {}
        for name, (index, header) in self.where.items():
            text = cells[index].strip() if index < len(cells) else ""
            if text.startswith(FORMULA_STARTS):
                problems.append(
                    (
                        f"Line {number}",
                        f"column '{header}' holds a spreadsheet formula ({text[:30]}): imports read values "
                        "only. Paste the column as values and export again.",
                    )
                )
                text = ""
            values[name] = text
        return values
