from django.conf import settings


def identity(request):
    """The département's name, logo and colours, set once in settings.DEPARTEMENT."""
    return {"departement": settings.DEPARTEMENT}
