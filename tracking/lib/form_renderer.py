"""The site's form renderer (settings.FORM_RENDERER): Django's, with <select>s and <input>s written in Python.

Django renders a <select> through select.html, then select_option.html and attrs.html once per
<option>: a filter bar of five drop-downs spent 10-15 ms of a page on them. The functions here
write the same HTML as those templates, byte for byte (escaping, `stringformat:'s'`, boolean
attributes, optgroups and the templates' whitespace; tests/tracking/lib/test_form_renderer.py
compares them on many widgets). Every other template, and any widget or option that names its own
template, still goes through Django's templates, as does everything if a project or app overrides
one of these templates.
"""

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import cached_property
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
SELECT = _WIDGETS + "select.html"
OPTION = _WIDGETS + "select_option.html"
INPUT = _WIDGETS + "input.html"
# Widget templates whose whole body is {% include "django/forms/widgets/input.html" %}.
INPUTS = frozenset(
    _WIDGETS + name + ".html"
    for name in (
        "text", "number", "email", "url", "password", "hidden", "search", "tel",
        "date", "datetime", "time", "color", "checkbox", "file", "input",
    )
)  # fmt: skip
_ATTRS = _WIDGETS + "attrs.html"
_STOCK_DIR = str(Path(django.forms.__file__).parent / "templates")

# What a template's {{ value }} sees: autoescape on, default localisation and time zone.
_CONTEXT = Context()


def _text(value):
    """{{ value }}"""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value):
    """{{ value|stringformat:'s' }}: the filter keeps a safe string safe, so that one is not escaped."""
    try:
        text = "%s" % (str(value) if isinstance(value, tuple) else value,)  # noqa: UP031 (the filter's own)
    except (ValueError, TypeError):
        text = ""
    return text if isinstance(value, SafeData) else _text(text)


def attrs_html(attrs):
    """django/forms/widgets/attrs.html"""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def select_html(widget):
    """django/forms/widgets/select.html with select_option.html, or None if an option has its own template."""
    parts = [f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{attrs_html(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def input_html(widget):
    """django/forms/widgets/input.html"""
    value = ""
    if widget["value"] is not None:
        value = f' value="{_formatted(widget["value"])}"'
    start = f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
    return f"{start}{value}{attrs_html(widget['attrs'])}>"


class FormRenderer(DjangoTemplates):
    @cached_property
    def _stock(self):
        """True when the widget templates written here are Django's own (no app overrides them)."""
        names = [SELECT, OPTION, INPUT, _ATTRS, *INPUTS]
        return all(self.get_template(name).origin.name.startswith(_STOCK_DIR) for name in names)

    def render(self, template_name, context, request=None):
        if template_name == SELECT or template_name in INPUTS:
            widget = context.get("widget")
            if widget is not None and self._stock:
                html = select_html(widget) if template_name == SELECT else input_html(widget)
                if html is not None:
                    return html
        return super().render(template_name, context, request=request)
