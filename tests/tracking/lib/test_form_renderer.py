"""The site's form renderer writes <select>s and <input>s in Python: the HTML must be Django's exactly."""

import datetime
from decimal import Decimal

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django_filters.widgets import BooleanWidget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracking.lib.form_renderer import FormRenderer
from tracking.school.filters import AnyYesNo

FAST, STOCK = FormRenderer(), DjangoTemplates()
AWKWARD = "<b>\"Tom\" & 'Jerry'</b>"


def assert_same(widget, name, value, attrs=None):
    fast = widget.render(name, value, attrs=attrs, renderer=FAST)
    stock = widget.render(name, value, attrs=attrs, renderer=STOCK)
    assert fast == stock
    return fast


def test_a_select_with_one_choice_selected_is_djangos_html():
    widget = forms.Select(choices=[("", "Any"), (7, "Year 7"), (8, "Year 8")])
    html = assert_same(widget, "year", 8, attrs={"id": "id_year", "aria-describedby": "id_year_helptext"})
    assert '<option value="8" selected>Year 8</option>' in html


def test_a_multiple_select_marks_every_chosen_option():
    widget = forms.SelectMultiple(choices=[(1, "One"), (2, "Two"), (3, "Three")])
    html = assert_same(widget, "n", [1, 3], attrs={"id": "id_n", "required": True, "disabled": False})
    assert html.count(" selected") == 2 and " multiple" in html and "disabled" not in html


def test_optgroups_are_djangos_html():
    choices = [("", "---------"), ("Key Stage 3", [(7, "Year 7"), (8, "Year 8")]), ("KS4", [(10, "Year 10")])]
    html = assert_same(forms.Select(choices=choices), "year", "10")
    assert '<optgroup label="Key Stage 3">' in html


def test_labels_values_and_attributes_are_escaped_as_the_templates_escape_them():
    choices = [(AWKWARD, AWKWARD), ("safe", mark_safe("<em>kept</em>")), ("lazy", gettext_lazy("Any"))]
    html = assert_same(
        forms.Select(choices=choices), AWKWARD, AWKWARD, attrs={"title": AWKWARD, AWKWARD: "x"}
    )
    assert "<b>" not in html and "<em>kept</em>" in html
    assert_same(forms.Select(choices=[("a", "A")]), "s", "a", attrs={"title": mark_safe("<i>")})


def test_yes_no_widgets_are_djangos_html():
    for value in (None, "", True, False, "true", "false"):
        assert_same(AnyYesNo(), "eal", value)
        assert_same(BooleanWidget(), "eal", value)
        assert_same(forms.NullBooleanSelect(), "eal", value)


def test_inputs_are_djangos_html():
    cases = [
        (forms.TextInput(), None),
        (forms.TextInput(), ""),
        (forms.TextInput(attrs={"placeholder": AWKWARD}), AWKWARD),
        (forms.TextInput(), mark_safe("<i>safe</i>")),
        (forms.NumberInput(attrs={"min": 0, "step": Decimal("0.5")}), 1234567),
        (forms.NumberInput(), Decimal("12.50")),
        (forms.NumberInput(), 0.1),
        (forms.DateInput(), datetime.date(2026, 11, 30)),
        (forms.HiddenInput(), "x"),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(), False),
        (forms.EmailInput(), "a@b.test"),
        (forms.PasswordInput(render_value=True), "secret"),
    ]
    for widget, value in cases:
        assert_same(
            widget, "field", value, attrs={"id": "id_field", "required": True, "aria-invalid": "true"}
        )


def test_a_widget_with_its_own_option_template_still_uses_the_templates(monkeypatch):
    class Radioish(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    assert_same(Radioish(choices=[("a", "A")]), "r", "a")
    assert_same(forms.RadioSelect(choices=[("a", "A"), ("b", AWKWARD)]), "r", "b")
    assert_same(forms.Textarea(), "t", AWKWARD)


def test_a_whole_form_renders_the_same():
    class Form(forms.Form):
        name = forms.CharField(help_text="Help")
        year = forms.ChoiceField(choices=[(7, "Year 7"), (8, "Year 8")])
        subjects = forms.MultipleChoiceField(choices=[("m", "Maths"), ("e", "English")], required=False)
        when = forms.DateField(required=False)
        flagged = forms.BooleanField(required=False)

    data = {"name": AWKWARD, "year": "9", "subjects": ["m"], "when": "nonsense"}
    assert str(Form(data, renderer=FAST)) == str(Form(data, renderer=STOCK))
    assert str(Form(renderer=FAST)) == str(Form(renderer=STOCK))


text = st.text(alphabet="<>&\"' aZ9é\u00a0%s", max_size=8)
scalars = st.one_of(
    text, st.integers(), st.booleans(), st.none(), st.decimals(allow_nan=False, allow_infinity=False)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    choices=st.lists(st.tuples(st.one_of(text, st.integers()), text), max_size=6),
    value=st.one_of(text, st.integers(), st.none()),
    attrs=st.dictionaries(st.text("abcdefghij-", min_size=1, max_size=8), scalars, max_size=4),
    group=st.one_of(st.none(), text),
)
def test_any_select_or_input_is_djangos_html(choices, value, attrs, group):
    options = [(group, choices)] if group else choices
    assert_same(forms.Select(choices=options), "f", value, attrs=attrs)
    assert_same(forms.SelectMultiple(choices=choices), "f", [value], attrs=attrs)
    assert_same(forms.TextInput(), "f", value, attrs=attrs)


def test_selects_and_inputs_skip_the_templates(monkeypatch):
    assert FAST._stock

    def no_template(*args, **kwargs):
        raise AssertionError("rendered through a template")

    monkeypatch.setattr(DjangoTemplates, "render", no_template)
    forms.Select(choices=[("a", "A")]).render("s", "a", renderer=FAST)
    forms.TextInput().render("t", "x", renderer=FAST)
