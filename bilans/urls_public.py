"""The public pages of the published pactes and their open data (bilans/views_public.py), without an account."""

from django.urls import path, register_converter

from bilans import views_public

app_name = "public"


class OpenDataFormat:
    regex = "json|csv"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(OpenDataFormat, "opendata")

urlpatterns = [
    path("public/", views_public.index, name="index"),
    path("public/<slug:slug>/", views_public.pacte, name="pacte"),
    path("public/<slug:slug>/bilans/<int:year>.pdf", views_public.bilan_pdf, name="bilan_pdf"),
    path("public/<slug:slug>/donnees/actions.<opendata:kind>", views_public.open_data, name="open_data"),
]
