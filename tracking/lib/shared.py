"""Reading long lists: related rows built once each (`select_shared`), pages read by id (`page_of`)."""

from django.core.paginator import Paginator


class _Relation:
    """One forward foreign key of a `select_shared` read, e.g. "owner" or "owner__user"."""

    def __init__(self, path, parent, field):
        self.path = path
        self.parent = parent  # the path of the object holding the key ("" for the queried model)
        self.field = field
        self.names = [f.attname for f in field.related_model._meta.concrete_fields]
        self.pk_index = self.names.index(field.related_model._meta.pk.attname)
        self.built = {}

    def build(self, db, values):
        pk = values[self.pk_index]
        if pk is None:
            return None
        found = self.built.get(pk)
        if found is None:
            found = self.built[pk] = self.field.related_model.from_db(db, self.names, values)
        return found


def select_shared(queryset, *relations):
    """The objects of `queryset` with `relations` (forward foreign keys, nested with "__") read in the
    same query, as select_related reads them, but each distinct related row is built once and shared by
    every object naming it. select_related builds one per object: a whole school's 487 teaching groups
    name some twenty subjects, five year groups and one academic year, and it built 1,461 of them.

    Returns a list. The related objects are shared, so treat them as read-only."""
    model, db = queryset.model, queryset.db
    own = [f.attname for f in model._meta.concrete_fields]
    specs = {}
    for relation in relations:
        parts = relation.split("__")
        for depth in range(1, len(parts) + 1):
            path, parent = "__".join(parts[:depth]), "__".join(parts[: depth - 1])
            if path not in specs:
                holder = specs[parent].field.related_model if parent else model
                specs[path] = _Relation(path, parent, holder._meta.get_field(parts[depth - 1]))
    annotations = list(queryset.query.annotation_select)  # set on each object, as iterating would
    columns = [*own, *annotations]
    for spec in specs.values():
        columns += [f"{spec.path}__{name}" for name in spec.names]
    objects, n, first = [], len(own), len(own) + len(annotations)
    for values in queryset.values_list(*columns):
        obj = model.from_db(db, own, values[:n])
        for name, value in zip(annotations, values[n:first], strict=True):
            setattr(obj, name, value)
        made, at = {"": obj}, first
        for spec in specs.values():
            end = at + len(spec.names)
            holder = made.get(spec.parent)
            if holder is not None:
                related = made[spec.path] = spec.build(db, values[at:end])
                spec.field.set_cached_value(holder, related)
            at = end
        objects.append(obj)
    return objects


def page_of(queryset, number, per_page):
    """`Paginator(queryset, per_page).get_page(number)`, read as every row's id in order (which also
    counts them) and then the page's rows by id: a wide read (joins, annotations) runs for one page of
    rows rather than for every row to be sorted, and the count is not a query of its own."""
    ids = list(queryset.values_list("pk", flat=True))
    page = Paginator(ids, per_page).get_page(number)
    by_id = {obj.pk: obj for obj in queryset.filter(pk__in=page.object_list).order_by()}
    page.object_list = [by_id[pk] for pk in page.object_list]
    return page
