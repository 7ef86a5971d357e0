import datetime

import factory
from factory.django import DjangoModelFactory

from axes.factories import PacteFactory
from pilotage.enums import DecisionStatus, Presence


class CopilFactory(DjangoModelFactory):
    class Meta:
        model = "pilotage.Copil"

    pacte = factory.SubFactory(PacteFactory)
    date = factory.Sequence(lambda n: datetime.date(2023, 1, 1) + datetime.timedelta(days=n))
    place = "Hôtel du Département, Limoges"
    agenda = "Point d'étape global des actions du pacte."


class HighlightedActionFactory(DjangoModelFactory):
    class Meta:
        model = "pilotage.HighlightedAction"

    copil = factory.SubFactory(CopilFactory)
    action = factory.SubFactory("actions.factories.ActionFactory", axe__pacte=factory.SelfAttribute("...copil.pacte"))
    comment = "Action exemplaire présentée en séance."


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = "pilotage.Decision"

    copil = factory.SubFactory(CopilFactory)
    text = factory.Faker("sentence", nb_words=10, locale="fr_FR")
    due_date = factory.LazyAttribute(lambda o: o.copil.date + datetime.timedelta(days=90))
    status = DecisionStatus.OPEN


class CopilAttendeeFactory(DjangoModelFactory):
    class Meta:
        model = "pilotage.CopilAttendee"

    copil = factory.SubFactory(CopilFactory)
    name = factory.Faker("name", locale="fr_FR")
    function = "Chargée de mission insertion"
    presence = Presence.PRESENT

    class Params:
        excused = factory.Trait(presence=Presence.EXCUSED)
