"""Uplift's admin site: school tenancy, a second sign-in step, and an audit of every change.

Every ModelAdmin registered here (by any app) is wrapped so that its lists, choice lists, filters and
lookups pass through `tracking.permissions.admin_scope`, and every add, change and delete of an
Uplift row is written to the audit trail with before and after through `tracking.audit.record`.
"""

import json

from django.contrib import admin
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from tracking import audit, permissions

# Never copied into the audit trail.
SECRET_FIELDS = {"password", "password1", "password2", "usable_password"}


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((_plain(v) for v in value), key=str)
    return value


def _values(form, source, fields):
    data = {name: _plain(source.get(name)) for name in fields if name not in SECRET_FIELDS}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _record(request, obj, verb, before=None, after=None):
    if obj._meta.app_label not in permissions.ADMIN_APPS or obj._meta.label_lower == "tracking.auditevent":
        return
    school_id = permissions.school_id_of(obj)
    pupil = obj if obj._meta.label_lower == "tracking.pupil" else None
    if pupil is None and getattr(obj, "pupil_id", None):
        pupil = obj.pupil
    audit.record(
        action=f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}",
        obj=obj,
        by=request.user,
        before=before,
        after=after,
        via="admin",
        pupil=pupil,
        school_id=school_id,
        note=str(obj)[:200],
    )


class ScopedAdminMixin:
    """Rows, choices and filters scoped to the user's school; changes audited."""

    def get_queryset(self, request):
        return permissions.admin_scope(request.user, super().get_queryset(request))

    def _scope_choices(self, formfield, request):
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = permissions.admin_scope(request.user, formfield.queryset)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._scope_choices(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._scope_choices(super().formfield_for_manytomany(db_field, request, **kwargs), request)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if permissions.is_platform_operator(request.user):
            return filters
        scoped = []
        for item in filters:
            if isinstance(item, str):
                try:
                    field = get_fields_from_path(self.model, item)[-1]
                except FieldDoesNotExist:
                    field = None
                if field is not None and field.is_relation:
                    # Offer only values present in the user's own rows, never another school's names.
                    item = (item, RelatedOnlyFieldListFilter)
            scoped.append(item)
        return scoped


class AuditedAdminMixin(ScopedAdminMixin):
    # The admin's change view runs in one transaction: the audit rows commit with the change.
    def save_model(self, request, obj, form, change):
        fields = form.changed_data
        before = _values(form, form.initial, fields) if change else None
        super().save_model(request, obj, form, change)
        form._uplift_audit = (obj, "changed" if change else "added", before, fields)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj, verb, before, fields = form._uplift_audit
        if fields or not change:
            _record(request, obj, verb, before, _values(form, form.cleaned_data, fields))

    def save_formset(self, request, form, formset, change):
        befores = {
            f.instance.pk: (_values(f, f.initial, f.changed_data), f.changed_data)
            for f in formset.forms
            if f.instance.pk is not None and f.has_changed()
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.deleted_objects:
            _record(request, obj, "deleted", before={"deleted": str(obj)})
        for obj in formset.new_objects:
            child = next(f for f in formset.forms if f.instance is obj)
            _record(request, obj, "added", after=_values(child, child.cleaned_data, child.changed_data))
        for obj, _changed in formset.changed_objects:
            before, fields = befores.get(obj.pk, ({}, []))
            child = next(f for f in formset.forms if f.instance is obj)
            _record(request, obj, "changed", before=before, after=_values(child, child.cleaned_data, fields))

    def delete_model(self, request, obj):
        _record(request, obj, "deleted", before={"deleted": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _record(request, obj, "deleted", before={"deleted": str(obj)})
        super().delete_queryset(request, queryset)


def _wrap(admin_class, mixin):
    if issubclass(admin_class, mixin):
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    if getattr(admin_class, "inlines", None):
        attrs["inlines"] = [_wrap(inline, ScopedAdminMixin) for inline in admin_class.inlines]
    return type(admin_class.__name__, (mixin, admin_class), attrs)


class UpliftAdminSite(admin.AdminSite):
    site_header = "Uplift administration"
    site_title = "Uplift admin"

    def has_permission(self, request):
        user = request.user
        return permissions.can_use_admin(user) and getattr(user, "is_verified", lambda: False)()

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = _wrap(admin_class or admin.ModelAdmin, AuditedAdminMixin)
        return super().register(model_or_iterable, admin_class, **options)
