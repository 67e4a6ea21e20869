"""The dashboards' columns and the cell writers their tables share."""

import copy

import django_tables2 as tables
from django.utils.formats import localize
from django.utils.html import conditional_escape

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class Column(tables.Column):
    """A column copied shallowly into each table. django-tables2 deep-copies every column of every
    table it makes, and a dashboard makes a dozen tables of thirteen columns; a column's settings are
    replaced on a table's own copy (a heading, a hidden column), never changed in place."""

    def __deepcopy__(self, memo):
        return copy.copy(self)


class PercentColumn(Column):
    def __init__(self, **kwargs):
        super().__init__(attrs=NUM, **kwargs)

    def render(self, value):
        return f"{value}%"


def number_html(name, pattern, default, record):
    """A number's cell, written by `pattern` (None: as a template writes the number), the default when
    there is none. Numbers need no escaping."""
    value = getattr(record, name)
    if value is None or value == "":
        return default
    return localize(value) if pattern is None else pattern.format(value)


def rendered_html(name, render, takes_record, default, record):
    """A cell written by the table's render_<name>([record,] value), the default when there is no value."""
    value = getattr(record, name)
    if value is None or value == "":
        return default
    content = render(record=record, value=value) if takes_record else render(value=value)
    return conditional_escape(content if isinstance(content, str) else localize(content))
