from django.contrib import admin

from . import models


class RuleInline(admin.StackedInline):
    model = models.Rule
    extra = 0


@admin.register(models.RulePreset)
class RulePresetAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "school")
    list_filter = ("school",)
    inlines = [RuleInline]


@admin.register(models.Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("name", "preset", "scope", "kind", "owner", "level", "is_active")
    list_filter = ("preset__school", "preset", "scope", "is_active")
    list_select_related = ("preset",)


@admin.register(models.InterventionSettings)
class InterventionSettingsAdmin(admin.ModelAdmin):
    list_display = ("school", "active_preset")


@admin.register(models.Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("pupil", "scope", "subject", "level", "owner", "status", "source", "raised_at", "outcome")
    list_filter = ("school", "scope", "level", "status", "source", "outcome")
    raw_id_fields = ("pupil", "point", "subject", "rule", "owner", "raised_by")
    search_fields = ("pupil__legal_last_name", "reason")
