import django_tables2 as tables
from django.test import RequestFactory
from django_tables2 import RequestConfig

from tracking.lib.tables import MOST_PER_PAGE, PagedTable


class NumbersTable(PagedTable):
    n = tables.Column()

    class Meta:
        per_page = 50


def configured(query):
    table = NumbersTable([{"n": i} for i in range(1, 1001)])
    RequestConfig(RequestFactory().get("/", query), paginate={"per_page": 50}).configure(table)
    return table


def test_a_page_asked_for_every_row_holds_no_more_than_the_most_a_page_may():
    table = configured({"per_page": "100000"})
    assert MOST_PER_PAGE == 100
    assert [row.record["n"] for row in table.page.object_list] == list(range(1, 101))
    assert table.paginator.num_pages == 10


def test_a_page_asked_for_at_a_smaller_size_or_none_keeps_it():
    assert len(configured({"per_page": "20"}).page.object_list) == 20
    assert len(configured({}).page.object_list) == 50


def test_a_page_asked_for_at_zero_or_less_rows_still_holds_one():
    assert len(configured({"per_page": "0"}).page.object_list) == 50
    assert len(configured({"per_page": "-5"}).page.object_list) == 1


def test_every_table_on_the_site_pages_through_the_capped_base():
    import importlib
    import pkgutil

    found = []
    for app in ("tracking", "interventions", "mentoring", "reports"):
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            last = module.name.rsplit(".", 1)[-1]
            if ".tables." not in module.name and not last.startswith(("tables", "master")):
                continue
            for value in vars(importlib.import_module(module.name)).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, tables.Table)
                    and value.__module__ == module.name
                ):
                    found.append(value)
    assert len(found) >= 20
    assert [table for table in found if not issubclass(table, PagedTable)] == []
