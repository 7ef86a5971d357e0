"""The campaign's completion and the reminders' preview are kept in the cache under the counters of the pacte's
pieces (actions.figures.kept, under their `reports` counters): the report form's autosave (a draft saved again
with new text or a new progress) computes neither again; a report transmitted computes both again, with the new
counts."""

import pytest

from actions.enums import ReportState
from actions.models import ProgressReport
from bilans import campaigns
from bilans.tests import test_campaign
from bilans.tests.test_campaign import YEAR, campaign_url

pytestmark = pytest.mark.django_db(transaction=True)

# The campaign page's fixtures: five reports owed in 2025, one submitted, one draft.
people, pacte, campaign = test_campaign.people, test_campaign.pacte, test_campaign.campaign


@pytest.fixture
def counted(monkeypatch):
    """{name: how many times it was computed} of the campaign's completion and the reminders' preview."""
    calls = {"completion": 0, "reminders": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(campaigns, "_year_completion", counting("completion", campaigns._year_completion))
    monkeypatch.setattr(campaigns, "_preview_page", counting("reminders", campaigns._preview_page))
    return calls


def test_the_autosave_computes_nothing_again_and_a_report_transmitted_does(client, campaign, staff, counted):
    client.force_login(staff)
    url, reminders_url = campaign_url(campaign.pacte), campaign_url(campaign.pacte) + "relances/"

    def shown():
        completion = client.get(url).context["completion"]["totals"]
        preview = client.get(reminders_url).context["preview"]
        owed = sorted(a.number for row in preview["recipients"] for a in row["actions"])
        return (completion["submitted"], completion["draft"], completion["missing"]), owed

    assert shown() == ((1, 1, 3), ["1.2", "1.3", "1.3", "2.1"])
    assert counted == {"completion": 1, "reminders": 1}
    draft = ProgressReport.objects.get(action__number="1.2", year=YEAR)
    draft.advances = "Une phrase de plus, enregistrée toute seule"
    draft.save()
    assert shown() == ((1, 1, 3), ["1.2", "1.3", "1.3", "2.1"])
    assert counted == {"completion": 1, "reminders": 1}
    # A new progress changes a figure, not what the campaign counts (actions.axe_stamps.REPORT_COUNTS).
    draft.progress = draft.progress + 5
    draft.save()
    assert shown() == ((1, 1, 3), ["1.2", "1.3", "1.3", "2.1"])
    assert counted == {"completion": 1, "reminders": 1}
    draft.state = ReportState.SUBMITTED
    draft.save()
    assert shown() == ((2, 0, 3), ["1.3", "1.3", "2.1"])
    assert counted == {"completion": 2, "reminders": 2}


def test_the_autosave_leaves_the_drawn_parts_and_a_report_transmitted_draws_them_again(client, campaign, staff):
    """The parts of the campaign's pages drawn from its completion and preview are kept as they are: a draft saved
    again (new text, new progress) draws neither again; a report transmitted draws both."""
    from django.test.signals import template_rendered

    client.force_login(staff)
    url, reminders_url = campaign_url(campaign.pacte), campaign_url(campaign.pacte) + "relances/"
    parts = ("bilans/_campaign_completion.html", "bilans/_reminder_recipients.html")

    def drawn():
        names = []

        def record(sender, template=None, **kwargs):
            if template.name in parts:
                names.append(template.name)

        template_rendered.connect(record)
        try:
            pages = [client.get(url).content.decode(), client.get(reminders_url).content.decode()]
        finally:
            template_rendered.disconnect(record)
        return sorted(names), all("1.2" in page for page in pages)

    assert drawn() == (sorted(parts), True)
    assert drawn() == ([], True)
    draft = ProgressReport.objects.get(action__number="1.2", year=YEAR)
    draft.advances = "Une phrase de plus, enregistrée toute seule"
    draft.save()
    assert drawn() == ([], True)
    draft.progress = draft.progress + 5
    draft.save()
    assert drawn() == ([], True)
    draft.state = ReportState.SUBMITTED
    draft.save()
    assert drawn()[0] == sorted(parts)
