import factory
from factory.django import DjangoModelFactory

from axes.factories import PacteFactory
from bilans.enums import BilanStatus


class BilanFactory(DjangoModelFactory):
    class Meta:
        model = "bilans.Bilan"

    pacte = factory.SubFactory(PacteFactory)
    year = 2023
    status = BilanStatus.DRAFT
