"""Table rows built in Python for django-tables2 (used by django_tables2/uplift.html).

The stock row template resolves a dozen template variables and recomputes each column's attributes
for every cell; on a page of a hundred pupils by fifteen columns that was most of the page's time.
This builds the same <tr> in one pass: each cell still goes through django-tables2's own value lookup
(`BoundRow._get_and_render_with`, so accessors, defaults, choices and links work as before), with
the render method's signature read once per method instead of once per cell, and a column's <td>
attributes worked out once per table unless they are computed per cell. Written against
django-tables2 3.0 (pinned in requirements.lock).
"""

from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.template.base import render_value_in_context
from django.utils.formats import localize
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django_tables2.utils import AttributeDict, signature

register = template.Library()


def _static_td(table, column):
    """The column's <td> attributes as HTML when they do not depend on the cell, else None."""
    attrs = {**table.attrs, **column.column.attrs}
    td = attrs.get("td", attrs.get("cell", {}))
    if any(callable(v) for v in td.values()):
        return None
    return column.attrs["td"].as_html()


@lru_cache(maxsize=512)
def _signature(function, bound):
    return signature(function.__get__(object()) if bound else function)


def _call_render(row, column, value=None):
    """BoundRow._call_render, with the signature cached."""
    kwargs = row._optional_cell_arguments(column, value)
    render = column.render
    function = getattr(render, "__func__", None)
    args, catch_all = _signature(function, True) if function else signature(render)
    if not catch_all:
        kwargs = {key: kwargs[key] for key in args if key in kwargs}
        if len(kwargs) < len(args):
            return None
    content = render(**kwargs)
    return column.link(content, **row._optional_cell_arguments(column, value)) if column.link else content


@register.simple_tag(takes_context=True)
def table_row(context, row):
    table = row.table
    tds = table.__dict__.setdefault("_uplift_td_html", {})
    cells = []
    for column in table.columns:
        value = row._get_and_render_with(
            column, render_func=lambda c, v=None: _call_render(row, c, v), default=column.default
        )
        # As BoundRow.items() does: per-cell attribute callables read these.
        column.current_value, column.current_record = value, row.record
        if column.name not in tds:
            tds[column.name] = _static_td(table, column)
        td = tds[column.name]
        if td is None:
            td = column.attrs["td"].as_html()
        if column.localize is not None:  # the stock template's |localize or |unlocalize
            value = localize(value, use_l10n=column.localize)
        cells.append((td, render_value_in_context(value, context)))
    row_attrs = row.attrs.as_html()
    body = format_html_join("", "<td {}>{}</td>", cells)
    return mark_safe(f"<tr {row_attrs}>{body}</tr>")


@register.simple_tag(takes_context=True)
def table_head(context, table):
    """The table's <thead>, as django_tables2/uplift.html writes it, in one pass: each header's sort
    link, aria-sort and the words a screen reader hears. A page with several tables spent more on
    their headers, through the template, than on their rows."""
    request = context.get("request")  # none when printed: a printed table is not orderable
    params = dict(request.GET) if request is not None else {}
    field = table.prefixed_order_by_field
    cells = []
    for column in table.columns:
        ordered = column.orderable and column.is_ordered
        descending = ordered and column.order_by_alias.is_descending
        sort = ""
        if ordered:
            sort = format_html(' aria-sort="{}"', "descending" if descending else "ascending")
        content = column.header
        if column.orderable:
            query = escape("?" + urlencode({**params, field: column.order_by_alias.next}, doseq=True))
            if ordered:
                heard = f", sorted {'descending' if descending else 'ascending'}; change order"
            else:
                heard = ", sort"
            content = format_html(
                '<a href="{}">{}<span class="visually-hidden">{}</span></a>', query, content, heard
            )
        cells.append(format_html('<th {} scope="col"{}>{}</th>', column.attrs["th"].as_html(), sort, content))
    thead = AttributeDict(table.attrs.get("thead") or {}).as_html()
    return mark_safe(f"<thead {thead}><tr>{''.join(cells)}</tr></thead>")
