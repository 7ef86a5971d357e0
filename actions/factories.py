import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from actions.enums import ActionStatus, PartnerKind, PartnerRole, ReportState, Weather
from axes.factories import AxeFactory


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = "actions.Partner"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    kind = PartnerKind.ASSOCIATIVE


def _free_number(axe, n):
    """The `n`-th action's number in `axe`: once the sequence has gone round (past 999 actions in one test
    process), the next number its pacte does not hold yet."""
    from actions.models import Action

    if n < 999 or axe.pk is None:
        return f"{axe.number}.{n % 999 + 1}"
    taken = set(Action.objects.filter(pacte_id=axe.pacte_id).values_list("number", flat=True))
    for step in range(999):
        number = f"{axe.number}.{(n + step) % 999 + 1}"
        if number not in taken:
            return number
    return f"{axe.number}.{n % 999 + 1}"


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = "actions.Action"
        skip_postgeneration_save = True

    axe = factory.SubFactory(AxeFactory)
    # Kept within 1..999: a number part has at most 3 digits (and the suite creates thousands of actions).
    number = factory.LazyAttributeSequence(lambda o, n: _free_number(o.axe, n))
    title = factory.Faker("sentence", nb_words=6, locale="fr_FR")
    description = factory.Faker("paragraph", locale="fr_FR")
    start_date = factory.LazyAttribute(lambda o: datetime.date(o.axe.pacte.first_year, 1, 1))
    end_date = factory.LazyAttribute(lambda o: datetime.date(o.axe.pacte.last_year, 12, 31))
    status = ActionStatus.IN_PROGRESS
    progress = 40

    class Params:
        done = factory.Trait(status=ActionStatus.DONE, progress=100)
        late = factory.Trait(
            status=ActionStatus.IN_PROGRESS,
            end_date=factory.LazyAttribute(lambda o: datetime.date(o.axe.pacte.first_year, 6, 30)),
        )

    @factory.post_generation
    def referents(self, create, extracted, **kwargs):
        if create and extracted:
            self.referents.set(extracted)


class ActionPartnerFactory(DjangoModelFactory):
    class Meta:
        model = "actions.ActionPartner"

    action = factory.SubFactory(ActionFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = PartnerRole.OPERATIONAL

    class Params:
        funder = factory.Trait(role=PartnerRole.FUNDER, amount=Decimal("10000.00"))


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = "actions.Indicator"

    action = factory.SubFactory(ActionFactory)
    label = "Nombre de personnes accompagnées"
    unit = "personnes"
    baseline = Decimal("0")
    higher_is_better = True


class IndicatorValueFactory(DjangoModelFactory):
    class Meta:
        model = "actions.IndicatorValue"

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2022
    target = Decimal("100")
    value = None


class ProgressReportFactory(DjangoModelFactory):
    class Meta:
        model = "actions.ProgressReport"

    action = factory.SubFactory(ActionFactory)
    year = 2023
    state = ReportState.DRAFT
    status = ActionStatus.IN_PROGRESS
    progress = 50
    weather = Weather.ON_TRACK
    advances = factory.Faker("paragraph", locale="fr_FR")
    difficulties = factory.Faker("paragraph", locale="fr_FR")

    class Params:
        submitted = factory.Trait(
            state=ReportState.SUBMITTED,
            submitted_at=factory.Faker("date_time_this_year", tzinfo=datetime.UTC),
        )


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = "actions.Milestone"

    action = factory.SubFactory(ActionFactory)
    title = factory.Sequence(lambda n: f"Étape {n}")
    planned_date = factory.LazyAttribute(lambda o: datetime.date(o.action.pacte.first_year, 6, 30))
    position = factory.Sequence(lambda n: n + 1)


class FollowUpNoteFactory(DjangoModelFactory):
    class Meta:
        model = "actions.FollowUpNote"

    action = factory.SubFactory(ActionFactory)
    date = factory.LazyAttribute(lambda o: datetime.date(o.action.pacte.first_year, 3, 15))
    text = factory.Sequence(lambda n: f"Note de suivi {n}")


class PartnerMemberFactory(DjangoModelFactory):
    """A partner account (role partner) tied to its organisation."""

    class Meta:
        model = "actions.PartnerMember"

    user = factory.SubFactory("pti.factories.UserFactory", role="partner")
    partner = factory.SubFactory(PartnerFactory)


class ContributionFactory(DjangoModelFactory):
    class Meta:
        model = "actions.Contribution"

    action = factory.SubFactory(ActionFactory)
    partner = factory.SubFactory(PartnerFactory)
    year = 2024
    achievements = "Accueil de 40 personnes en atelier collectif."
    figures = "12 entrées en formation."
    difficulties = ""
