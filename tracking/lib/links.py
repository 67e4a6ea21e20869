"""Links that leave the site (emails): absolute, from settings.SITE_URL, since a worker has no request."""

from django.conf import settings
from django.urls import reverse


def absolute_url(viewname, *args):
    return settings.SITE_URL + reverse(viewname, args=args or None)
