import datetime

import factory
from factory.django import DjangoModelFactory

from axes.enums import PacteStatus


class PacteFactory(DjangoModelFactory):
    class Meta:
        model = "axes.Pacte"
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Pacte territorial d'insertion n°{n}")
    slug = factory.Sequence(lambda n: f"pacte-{n}")
    territory = "Haute-Vienne"
    first_year = 2022
    last_year = 2025
    signature_date = datetime.date(2022, 3, 1)
    status = PacteStatus.ACTIVE


class AxeFactory(DjangoModelFactory):
    class Meta:
        model = "axes.Axe"
        skip_postgeneration_save = True

    pacte = factory.SubFactory(PacteFactory)
    # Within 1..999: the axe number starts the action numbers ("12.3"), whose parts have at most 3 digits.
    number = factory.Sequence(lambda n: n % 999 + 1)
    title = factory.Faker("sentence", nb_words=6, locale="fr_FR")

    @factory.post_generation
    def thematic_referents(self, create, extracted, **kwargs):
        if create and extracted:
            self.thematic_referents.set(extracted)


class ObjectifFactory(DjangoModelFactory):
    class Meta:
        model = "axes.Objectif"

    axe = factory.SubFactory(AxeFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("sentence", nb_words=8, locale="fr_FR")


class WorkingGroupFactory(DjangoModelFactory):
    class Meta:
        model = "axes.WorkingGroup"

    axe = factory.SubFactory(AxeFactory)
    title = factory.LazyAttribute(lambda group: group.axe.title)
    institutional = 3
    economic = 2
    associative = 4
    social_workers = 3
    rsa_beneficiaries = 2


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = "axes.Meeting"

    group = factory.SubFactory(WorkingGroupFactory)
    date = datetime.date(2021, 3, 15)
    place = "Hôtel du Département, Limoges"
    institutional = 2
    economic = 1
    associative = 3
    social_workers = 2
    rsa_beneficiaries = 1


class ProposalFactory(DjangoModelFactory):
    """A retained proposal; `merged` (give `merged_into`) and `not_retained` (with a reason) for the others."""

    class Meta:
        model = "axes.Proposal"

    group = factory.SubFactory(WorkingGroupFactory)
    number = factory.Sequence(lambda n: n % 999 + 1)
    text = factory.Faker("sentence", nb_words=8, locale="fr_FR")
    fate = "retained"

    class Params:
        merged = factory.Trait(fate="merged")
        not_retained = factory.Trait(fate="not_retained", reason="Hors du champ de compétence du Département.")
