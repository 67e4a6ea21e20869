"""Health checks as PDF for the department meeting (WeasyPrint renders the same template data)."""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template, context, *, base_url=None):
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).write_pdf()
