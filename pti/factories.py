import factory
from factory.django import DjangoModelFactory

from pti.enums import Role

DEFAULT_PASSWORD = "motdepasse-de-test"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "pti.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@haute-vienne.example")
    role = Role.REFERENT
    password = factory.django.Password(DEFAULT_PASSWORD)

    class Params:
        copil = factory.Trait(role=Role.COPIL)
        staff = factory.Trait(role=Role.STAFF)
        admin = factory.Trait(role=Role.ADMIN)
        partner = factory.Trait(role=Role.PARTNER)
