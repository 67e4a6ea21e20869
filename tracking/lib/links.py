"""Links: absolute ones that leave the site (emails), and the many row links of a list page."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse


def absolute_url(viewname, *args):
    """From settings.SITE_URL, since a worker has no request."""
    return settings.SITE_URL + reverse(viewname, args=args or None)


_MARK = 9081726354


@lru_cache(maxsize=64)
def _around_pk(viewname, prefix):
    head, mark, tail = reverse(viewname, args=[_MARK]).partition(str(_MARK))
    if not mark or str(_MARK) in tail:
        raise ValueError(f"{viewname} does not take one integer argument")
    return head, tail


def url_for_pk(viewname, pk):
    """reverse(viewname, args=[pk]) for a view whose only argument is an integer, reversed once per
    view: a page linking each of its fifty rows spent milliseconds in reverse()."""
    head, tail = _around_pk(viewname, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


@lru_cache(maxsize=64)
def _around_pks(viewname, prefix):
    first, second = _MARK, _MARK + 1
    head, mark, rest = reverse(viewname, args=[first, second]).partition(str(first))
    middle, mark2, tail = rest.partition(str(second))
    if not mark or not mark2 or str(first) in tail or str(second) in tail:
        raise ValueError(f"{viewname} does not take two integer arguments")
    return head, middle, tail


def url_for_pks(viewname, first, second):
    """`url_for_pk` for a view taking two integers, e.g. a marksheet's group and point."""
    head, middle, tail = _around_pks(viewname, get_script_prefix())
    return f"{head}{int(first)}{middle}{int(second)}{tail}"
