"""Table rows are built in Python (tracking/templatetags/uplift_tables.py): every cell must be what
django-tables2 itself renders, whatever the column, accessor, record or empty value."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import django_tables2 as tables
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.html import format_html

from tracking.models import FormGroup, Pupil, YearGroup
from tracking.school.tables import PupilTable
from tracking.templatetags import uplift_tables

AWKWARD = "<b>\"Tom\" & 'Jerry'</b>"


def pupils():
    year7 = YearGroup(number=7)
    form = FormGroup(name="7A<")
    return [
        Pupil(
            pk=1, legal_first_name="Ann", legal_last_name=AWKWARD, upn="A1", sen_status="K", gender="F",
            year_group=year7, form=form, attendance=Decimal("93.14"), prior_band="high",
            date_of_birth=datetime.date(2014, 3, 9), disadvantaged=True,
            anonymised_at=datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC),
        ),
        Pupil(
            pk=2, legal_first_name="Bo", legal_last_name="Bell", upn="", sen_status="N", gender="M",
            year_group=year7, form=None, attendance=None, prior_band="", date_of_birth=None, eal=True,
        ),
    ]  # fmt: skip


class Everything(tables.Table):
    name = tables.Column(accessor="legal_last_name", linkify=lambda record: f"/p/{record.pk}/")
    first = tables.Column(accessor="legal_first_name", attrs={"td": {"data-x": lambda value: value}})
    upn = tables.Column(default="none")
    sen = tables.Column(accessor="sen_status")
    gender = tables.Column(accessor="gender", empty_values=())
    year = tables.Column(accessor="year_group__number")
    form = tables.Column(accessor="form__name")
    form_pk = tables.Column(accessor="form__pk", empty_values=())
    words = tables.Column(accessor="first_name__upper")  # a str method: django-tables2's own lookup
    missing = tables.Column(accessor="no_such__thing")
    method = tables.Column(accessor="get_gender_display")
    save = tables.Column(accessor="save")  # alters_data: refused
    born = tables.DateColumn(accessor="date_of_birth", format="j M Y")
    born_short = tables.DateColumn(accessor="date_of_birth", default="–")
    anonymised = tables.DateTimeColumn(accessor="anonymised_at", format="j M Y H:i")
    attendance = tables.TemplateColumn("{% load uplift %}{{ value|percent }}")
    with_record = tables.TemplateColumn("{{ record.upn }}/{{ value }}", accessor="upn")
    flag = tables.BooleanColumn(accessor="disadvantaged")
    decimal = tables.Column(accessor="attendance", localize=True)
    rendered = tables.Column(accessor="prior_band")

    class Meta:
        attrs = {"class": "table"}
        row_attrs = {"data-pk": lambda record: getattr(record, "pk", "")}

    def render_rendered(self, value, record):
        return format_html("<i>{}</i> {}", value, record)


def render(table):
    request = RequestFactory().get("/")
    table.request = request
    context = Context({"table": table, "request": request})
    return Template("{% load django_tables2 %}{% render_table table %}").render(context)


def stock(monkeypatch, table):
    def cell(context, row, column):
        return row.get_cell(column.name)

    with monkeypatch.context() as patch:
        patch.setattr(uplift_tables, "_cell", cell)
        return render(table)


def test_every_kind_of_cell_is_what_django_tables2_renders(monkeypatch):
    records = pupils()
    fast, slow = render(Everything(records)), stock(monkeypatch, Everything(records))
    assert fast == slow
    assert "SEN support" in fast and "7A&lt;" in fast and "9 Mar 2014" in fast and "93.1%" in fast


def test_dict_and_plain_object_records_are_what_django_tables2_renders(monkeypatch):
    class Plain(tables.Table):
        a = tables.Column()
        b = tables.Column(accessor="b__c")
        when = tables.DateColumn(format="j M")

    records = [
        {"a": AWKWARD, "b": {"c": 1}, "when": datetime.date(2026, 1, 2)},
        {"a": None, "b": None, "when": ""},
        SimpleNamespace(a=0, b=SimpleNamespace(c=None), when=None),
        SimpleNamespace(a="x", b=None, when=datetime.date(2026, 5, 6)),
        SimpleNamespace(a="y", b=None, when=datetime.date(2026, 5, 6)),  # a date seen before
        SimpleNamespace(a="z", b=None, when=datetime.datetime(2026, 5, 6, 23, 30, tzinfo=datetime.UTC)),
    ]
    assert render(Plain(records)) == stock(monkeypatch, Plain(records))


def test_the_pupil_list_table_is_what_django_tables2_renders(monkeypatch):
    records = pupils()
    assert render(PupilTable(records)) == stock(monkeypatch, PupilTable(records))


def test_dict_rows_with_render_methods_are_what_django_tables2_renders(monkeypatch):
    class Grid(tables.Table):
        name = tables.Column()
        target = tables.Column(empty_values=())
        grade = tables.Column(accessor="p1")
        pupil_year = tables.Column(accessor="pupil__year_group__number")
        missing = tables.Column()
        flags = tables.Column(empty_values=())
        deep_missing = tables.Column(accessor="pupil__no_such", empty_values=())
        items = tables.Column(accessor="items")  # a dict's own method: django-tables2's own lookup
        link = tables.LinkColumn("pupil_detail", text="open", args=[tables.A("pk")], accessor="nothing")

        def render_flags(self, record, value):
            return f"flags {value!r} {record['name']}"

        def render_target(self, record, value):
            return format_html("{} <small>{}</small>", value, record.get("pending"))

    records = [
        {"name": AWKWARD, "target": "5", "pending": "6", "p1": 4, "pupil": pupils()[0], "pk": 1},
        {"name": "", "target": None, "p1": None, "pupil": None, "pk": 2},
    ]
    assert render(Grid(records)) == stock(monkeypatch, Grid(records))
