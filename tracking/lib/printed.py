"""A printed page holds what the page shows: its scope and filters, its sort, and the page of a long table
on screen, never every row of the school. A whole school's groups or pupils laid out by WeasyPrint took
longer than a request may (35-46 s at 6,000 pupils); a page of them takes the same time in any school.

A table printed so names the rows it holds ("Rows 51–100 of 1,927: page 2 of 39 ..., sorted by ...")
and where the others are: the page's other pages, and the CSV and XLSX downloads, which hold every row.
"""

from django.utils.html import strip_tags

TEMPLATE = "django_tables2/printed.html"
# The most rows of a table a PDF holds, whatever ?per_page= asks for.
MOST_ROWS = 100


def sorted_by(table):
    """The table's sort in its own headings ("Average difference, descending"), or ""."""
    words = []
    for order in table.order_by or ():
        if order.bare in table.columns:
            heading = strip_tags(str(table.columns[order.bare].header)).strip()
            words.append(f"{heading}, {'descending' if order.is_descending else 'ascending'}")
    return "; ".join(words)


def filters_described(filterset):
    """A django-filter FilterSet's chosen values in words ("Status: Active · Level: Level 3"), or ""."""
    if not filterset.is_bound or not filterset.form.is_valid():
        return ""
    words = []
    for name, value in filterset.form.cleaned_data.items():
        if value is None or value == "":
            continue
        field = filterset.form.fields[name]
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, str) and getattr(field, "choices", None):
            shown = {str(key): label for key, label in field.choices}.get(value, value)
        else:
            shown = str(value)
        words.append(f"{field.label or name}: {shown}")
    return " · ".join(words)


def for_paper(table):
    """Ready a django-tables2 table for a PDF: no sort links, and in place of the page links a line
    saying which rows these are."""
    table.printed_sort = sorted_by(table)  # before orderable goes: a sort is read through it
    table.orderable = False
    table.template_name = TEMPLATE
    table.printed_cut = None
    page = getattr(table, "page", None)
    if page is not None and len(page.object_list) > MOST_ROWS:
        # The first rows of the page asked for: the rows the view has already read and dressed.
        page.object_list = page.object_list[:MOST_ROWS]
        page.end_index = lambda: page.start_index() + MOST_ROWS - 1
        table.printed_cut = MOST_ROWS
    return table
