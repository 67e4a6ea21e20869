"""The base of every table on the site: a page of rows that never grows with the school.

django-tables2 takes `?per_page=` from the request as it stands, so `?per_page=100000` would lay out every
pupil of the school in one page. A table's page holds at most MOST_PER_PAGE rows, whatever is asked.
"""

import django_tables2 as tables
from django.core.paginator import Paginator

from tracking.lib.printed import MOST_ROWS

# Paper holds the same most rows (lib/printed): a page asked for at this size prints whole.
MOST_PER_PAGE = MOST_ROWS


class PagedTable(tables.Table):
    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        per_page = per_page or self._meta.per_page or MOST_PER_PAGE
        super().paginate(paginator_class, max(1, min(per_page, MOST_PER_PAGE)), page, *args, **kwargs)
