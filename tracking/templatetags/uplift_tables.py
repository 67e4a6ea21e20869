"""Table rows built in Python for django-tables2 (used by django_tables2/uplift.html).

The stock row template resolves a dozen template variables and recomputes each column's attributes
for every cell; on a page of a hundred pupils by fifteen columns that was most of the page's time.
This builds the same <tr> in one pass: each cell still goes through django-tables2's own value lookup
(`BoundRow._get_and_render_with`, so accessors, defaults, choices and links work as before), with
the render method's signature read once per method instead of once per cell, and a column's <td>
attributes worked out once per table unless they are computed per cell. Written against
django-tables2 3.0 (pinned in requirements.lock).
"""

import html
import re
from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.db import models
from django.template import Context, Template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2 import Column, DateColumn, DateTimeColumn, ManyToManyColumn, TemplateColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.rows import BoundRow
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


@lru_cache(maxsize=256)
def _compiled(template_code):
    """A TemplateColumn's template, compiled once (django-tables2 compiles it again for every cell)."""
    return Template(template_code)


# DateColumn and DateTimeColumn are TemplateColumns with exactly this template.
_DATE_TEMPLATE = re.compile(r'\{\{ value\|date:"([^"]*)"\|default:default \}\}\Z')


@lru_cache(maxsize=256)
def _date_format(column_type, template_code):
    """The `date` format of a stock DateColumn or DateTimeColumn, else None."""
    if column_type not in (DateColumn, DateTimeColumn):
        return None
    match = _DATE_TEMPLATE.match(template_code or "")
    return match[1] if match else None


def _render_template_column(context, column, kwargs):
    """TemplateColumn.render, the same template and context, without compiling the template per cell.
    A stock date column's `{{ value|date:"…"|default:default }}` is worked out in Python."""
    table = kwargs["table"]
    date_format = _date_format(type(column), column.template_code)
    if date_format is not None:
        # The `date` filter sees the value in the current time zone, as a template passes it. Rows
        # share dates (review days, points), so each is formatted once per table.
        value = template_localtime(kwargs["value"], context.use_tz)
        dates = table.__dict__.setdefault("_uplift_dates", {})
        key = (type(value), value, getattr(value, "tzinfo", None), date_format)
        try:
            text = dates[key]
        except KeyError:
            text = dates[key] = date_filter(value, date_format)
        except TypeError:  # not hashable: not a date either
            text = date_filter(value, date_format)
        return mark_safe(render_value_in_context(text or kwargs["bound_column"].default, context))
    parent_context = getattr(table, "context", Context())
    with parent_context.update(column.get_context_data(**kwargs)):
        request = getattr(table, "request", None)
        if column.template_code:
            parent_context["request"] = request
            return _compiled(column.template_code).render(parent_context)
        return get_template(column.template_name).render(parent_context.flatten(), request=request)


def _call_render(context, row, column, value=None):
    """BoundRow._call_render, with the signature cached."""
    kwargs = row._optional_cell_arguments(column, value)
    render = column.render
    function = getattr(render, "__func__", None)
    if function is TemplateColumn.render:
        content = _render_template_column(context, column.column, kwargs)
    else:
        args, catch_all = _signature(function, True) if function else signature(render)
        if not catch_all:
            kwargs = {key: kwargs[key] for key in args if key in kwargs}
            if len(kwargs) < len(args):
                return None
        content = render(**kwargs)
    return column.link(content, **row._optional_cell_arguments(column, value)) if column.link else content


_SLOW = object()  # "ask django-tables2": a lookup this module does not copy
_FAILED = object()  # the lookup raised, which django-tables2 shows as an empty cell (value None)


@lru_cache(maxsize=1024)
def _plan(record_type, accessor, column_type):
    """How a cell's value is looked up for this kind of record: (bits, choices), or None when only
    BoundRow._get_and_render_with will do (lists and other indexables, the legacy "." separator,
    many-to-many columns)."""
    if (
        not accessor
        or accessor.SEPARATOR != "__"
        or issubclass(column_type, ManyToManyColumn)
        or (hasattr(record_type, "__getitem__") and record_type is not dict)
    ):
        return None
    field = accessor.get_field(record_type) if issubclass(record_type, models.Model) else None
    return tuple(accessor.bits), bool(getattr(field, "choices", ()))


def _is_int(text):
    try:
        int(text)
    except ValueError:
        return False
    return True


def _resolve(current, bits, accessor):
    """Accessor.resolve(safe=True) through dict keys and attributes: the value, _FAILED where
    Accessor.resolve would raise, or _SLOW for what it alone should decide (indexing, a dict's
    own attributes)."""
    for bit in bits:
        if type(current) is dict:
            if bit in current:
                current = current[bit]
            elif hasattr(current, bit) or _is_int(bit):
                return _SLOW
            else:
                return _FAILED
        elif hasattr(type(current), "__getitem__"):
            return _SLOW
        else:
            try:
                current = getattr(current, bit)
            except Exception:
                return _FAILED
        if callable(current):
            if getattr(current, "alters_data", False):
                return _FAILED
            if not getattr(current, "do_not_call_in_templates", False):
                try:
                    current = current(*accessor.callable_args, **accessor.callable_kwargs)
                except Exception:
                    return _FAILED
        if current is None:  # as Accessor.resolve: a null relation ends the path
            break
    return current


def _cell(context, row, column):
    """BoundRow._get_and_render_with: the cell's rendered content, or its default when empty.
    Model records and dicts (the usual cases) are looked up here without the exceptions (and the
    error messages formatted for them) and repeated walks of Accessor.resolve; the rest go through
    django-tables2 itself."""
    record, accessor = row.record, column.accessor
    value = _SLOW
    if isinstance(record, dict) and accessor in record:
        # Accessor.resolve returns a dict's own key as it is.
        if not isinstance(column.column, ManyToManyColumn):
            value = record[accessor]
    elif (plan := _plan(type(record), accessor, type(column.column))) is not None:
        bits, choices = plan
        if choices:  # get_FOO_display() when the penultimate object is a model
            penultimate = _resolve(record, bits[:-1], accessor)
            display = None
            if isinstance(penultimate, models.Model):
                display = getattr(penultimate, f"get_{bits[-1]}_display", None)
            if display:
                value = display()
            elif penultimate is not _SLOW:
                value = _resolve(record, bits, accessor)
        else:
            value = _resolve(record, bits, accessor)
    if value is _FAILED:
        # A link column with its own text renders without a value; anything else as if None.
        link_text = isinstance(column.column, BaseLinkColumn) and column.column.text is not None
        value = _SLOW if link_text else None
    if value is _SLOW:
        return row._get_and_render_with(
            column, render_func=lambda c, v=None: _call_render(context, row, c, v), default=column.default
        )
    if value in column.column.empty_values:
        return column.default
    if getattr(column.render, "__func__", None) is Column.render and not column.link:
        return value
    return _call_render(context, row, column, value)


def _text(value, context):
    """render_value_in_context(value, context), with the plain and safe strings of most cells done at once."""
    if context.autoescape:
        kind = type(value)
        if kind is SafeString:
            return value
        if kind is str:
            return SafeString(html.escape(value))
    return conditional_escape(render_value_in_context(value, context))


@register.simple_tag(takes_context=True)
def table_row(context, row):
    """A <tr> of the table. A table may offer `cell_html()`: {column name: function(record) -> the
    cell's escaped HTML, its default included} for the hot columns of a big grid; those cells skip the
    value lookup and render call (their <td> attributes must not depend on the cell)."""
    table = row.table
    columns = table.__dict__.get("_uplift_columns")
    if columns is None:
        columns = table.__dict__["_uplift_columns"] = list(table.columns)
    tds = table.__dict__.setdefault("_uplift_td_html", {})
    fast = table.__dict__.get("_uplift_cell_html")
    if fast is None:
        hook = getattr(table, "cell_html", None)
        fast = table.__dict__["_uplift_cell_html"] = hook() if hook is not None else {}
    cells = []
    for column in columns:
        if column.name not in tds:
            tds[column.name] = _static_td(table, column)
        td = tds[column.name]
        if td is not None and column.name in fast:
            # The table wrote this cell's final HTML itself (see `cell_html` on a table).
            cells.append(f"<td {td}>{fast[column.name](row.record)}</td>")
            continue
        value = _cell(context, row, column)
        # As BoundRow.items() does: per-cell attribute callables read these.
        column.current_value, column.current_record = value, row.record
        if td is None:
            td = column.attrs["td"].as_html()
        if column.localize is not None:  # the stock template's |localize or |unlocalize
            value = localize(value, use_l10n=column.localize)
        cells.append(f"<td {td}>{_text(value, context)}</td>")
    if table.row_attrs or type(row) is not BoundRow:
        tr = row.attrs.as_html()
    else:  # then a row's attributes are its odd or even class alone: worked out twice per table
        by_parity = table.__dict__.setdefault("_uplift_tr_html", {})
        parity = row.get_even_odd_css_class()
        if parity not in by_parity:
            by_parity[parity] = row.attrs.as_html()
        tr = by_parity[parity]
    return mark_safe(f"<tr {tr}>{''.join(cells)}</tr>")


@register.simple_tag(takes_context=True)
def table_head(context, table):
    """The table's <thead>, as django_tables2/uplift.html writes it, in one pass: each header's sort
    link, aria-sort and the words a screen reader hears. A page with several tables spent more on
    their headers, through the template, than on their rows."""
    request = context.get("request")  # none when printed: a printed table is not orderable
    params = dict(request.GET) if request is not None else {}
    field = table.prefixed_order_by_field
    # A page of several tables may give each an `anchor` (its section's id): a sort link comes back to it.
    anchor = f"#{table.anchor}" if getattr(table, "anchor", None) else ""
    cells = []
    for column in table.columns:
        ordered = column.orderable and column.is_ordered
        descending = ordered and column.order_by_alias.is_descending
        sort = ""
        if ordered:
            sort = format_html(' aria-sort="{}"', "descending" if descending else "ascending")
        content = column.header
        if column.orderable:
            query = escape(
                "?" + urlencode({**params, field: column.order_by_alias.next}, doseq=True) + anchor
            )
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
