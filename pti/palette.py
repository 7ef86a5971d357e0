"""One visual language: the colours of statuses, weather, indicator states and lateness, for the badges (CSS
emitted from here, `{% palette_css %}`), the charts (pti.charts), the PDFs and the spreadsheet exports alike.

Done is green, in progress blue, to launch grey, postponed amber, abandoned dark grey; weather green, amber, red;
an indicator on target green, behind red, without value or target neutral (never red). Every colour holds at
least 4.5:1 against white (text on it, or it on a white page: RGAA 3.2 and 3.3), and is never the only carrier
of meaning: badges carry their label, charts their legend and data table.

The keys are the values of the apps' TextChoices (actions.enums), written here as plain strings: pti sits below
every app and imports none.
"""

from dataclasses import dataclass

WHITE = "#ffffff"


@dataclass(frozen=True)
class Tone:
    background: str
    text: str = WHITE

    @property
    def hex(self):
        """The colour without "#" (openpyxl fills)."""
        return self.background.lstrip("#").upper()


GREEN = Tone("#146c43")
BLUE = Tone("#0b5ed7")
GREY = Tone("#5c636a")
AMBER = Tone("#8a5a00")
DARK_GREY = Tone("#343a40")
RED = Tone("#b02a37")
NEUTRAL = Tone("#6c757d")
NEUTRAL_DARK = Tone("#495057")

STATUS = {
    "to_launch": GREY,
    "in_progress": BLUE,
    "done": GREEN,
    "postponed": AMBER,
    "abandoned": DARK_GREY,
}
# "unknown": a report due whose weather is not said yet (no transmitted report): neutral, never red.
WEATHER = {"on_track": GREEN, "some_difficulties": AMBER, "at_risk": RED, "unknown": NEUTRAL}
INDICATOR = {"on_target": GREEN, "behind": RED, "no_value": NEUTRAL, "no_target": NEUTRAL_DARK, "none": NEUTRAL}
LATE = RED
# Report states on the referents' pages; decisions of the COPIL.
REPORT = {"submitted": GREEN, "draft": AMBER, "missing": RED, "not_due": NEUTRAL}
DECISION = {"open": BLUE, "done": GREEN, "dropped": DARK_GREY}
# What became of the proposals of the Assises (axes.enums.ProposalFate).
PROPOSAL = {"retained": GREEN, "merged": BLUE, "not_retained": GREY}
# Series without a meaning of their own (years compared, target against value): the département's colour first.
SERIES = ("#00567a", "#8a5a00", "#5c636a", "#146c43", "#6f42c1", "#343a40")
TARGET, VALUE = NEUTRAL, Tone("#00567a")


def status_colors(statuses):
    return [STATUS[status].background for status in statuses]


def weather_colors(weathers):
    return [WEATHER[weather].background for weather in weathers]


def indicator_colors(states):
    return [INDICATOR[state].background for state in states]


def proposal_colors(fates):
    return [PROPOSAL[fate].background for fate in fates]


def css():
    """The badges' and marks' rules, emitted in each page's head (base.html, the PDFs' base)."""
    rules = []
    groups = (
        ("status", STATUS),
        ("weather", WEATHER),
        ("indicator", INDICATOR),
        ("report", REPORT),
        ("decision", DECISION),
        ("proposal", PROPOSAL),
    )
    for prefix, tones in groups:
        for key, tone in tones.items():
            rules.append(f".badge.{prefix}-{key}{{background-color:{tone.background};color:{tone.text}}}")
            rules.append(f".text-{prefix}-{key}{{color:{tone.background}}}")
    rules.append(f".badge.late{{background-color:{LATE.background};color:{LATE.text}}}")
    rules.append(f".text-late{{color:{LATE.background}}}")
    return "".join(rules)


def contrast(foreground, background=WHITE):
    """The WCAG contrast ratio of two "#rrggbb" colours."""

    def luminance(color):
        channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
