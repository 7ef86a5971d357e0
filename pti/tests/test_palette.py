"""One visual language (pti.palette): what each colour means, and that each can be read."""

import pytest

from pti import palette


def test_statuses_have_the_colours_people_expect():
    assert palette.STATUS == {
        "to_launch": palette.GREY,
        "in_progress": palette.BLUE,
        "done": palette.GREEN,
        "postponed": palette.AMBER,
        "abandoned": palette.DARK_GREY,
    }
    assert palette.WEATHER == {
        "on_track": palette.GREEN,
        "some_difficulties": palette.AMBER,
        "at_risk": palette.RED,
        "unknown": palette.NEUTRAL,
    }
    assert palette.INDICATOR["on_target"] == palette.GREEN and palette.INDICATOR["behind"] == palette.RED
    # Without a value is not a failure: never red.
    assert palette.INDICATOR["no_value"] not in (palette.RED, palette.GREEN)


TONES = sorted(
    {tone for group in (palette.STATUS, palette.WEATHER, palette.INDICATOR, palette.REPORT) for tone in group.values()},
    key=lambda tone: tone.background,
)


@pytest.mark.parametrize("tone", TONES, ids=lambda tone: tone.background)
def test_every_colour_meets_rgaa_contrast(tone):
    # White text on the badge, and the colour on a white page (text or chart bars): 4.5:1.
    assert palette.contrast(tone.text, tone.background) >= 4.5
    assert palette.contrast(tone.background, palette.WHITE) >= 4.5


def test_the_css_gives_every_badge_its_colour():
    css = palette.css()
    assert ".badge.status-done{background-color:#146c43;color:#ffffff}" in css
    assert ".badge.indicator-no_value{background-color:#6c757d" in css
    assert ".text-late{color:#b02a37}" in css
