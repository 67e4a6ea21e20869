"""The school's own words and colours for Red / Amber / Green (MentoringSettings), one place."""

from ..models import MentoringSettings, Rating

ICONS = {Rating.RED: "■", Rating.AMBER: "▲", Rating.GREEN: "●"}


def settings_for(school):
    """The school's mentoring settings, or the defaults (unsaved) when it has chosen none."""
    return MentoringSettings.objects.filter(school=school).first() or MentoringSettings(school=school)


def labels(settings):
    return {
        Rating.RED: settings.label_red,
        Rating.AMBER: settings.label_amber,
        Rating.GREEN: settings.label_green,
    }


def colours(settings):
    return {
        Rating.RED: settings.colour_red,
        Rating.AMBER: settings.colour_amber,
        Rating.GREEN: settings.colour_green,
    }


def choices(settings):
    """Form choices in the school's words, red first."""
    words = labels(settings)
    return [(value, words[value]) for value in (Rating.RED, Rating.AMBER, Rating.GREEN)]
