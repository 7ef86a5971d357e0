from django.urls import path

from actions import views_io

app_name = "actions_io"

urlpatterns = [
    path("actions/export.xlsx", views_io.export_actions, {"fmt": "xlsx"}, name="actions_xlsx"),
    path("actions/export.csv", views_io.export_actions, {"fmt": "csv"}, name="actions_csv"),
    path("actions/export/liens/", views_io.export_links, name="export_links"),
    path("indicateurs/export.xlsx", views_io.export_indicators, {"fmt": "xlsx"}, name="indicators_xlsx"),
    path("indicateurs/export.csv", views_io.export_indicators, {"fmt": "csv"}, name="indicators_csv"),
    path("pactes/<slug:slug>/export.xlsx", views_io.export_pacte, name="pacte_xlsx"),
    path("import/pacte/", views_io.import_pacte, name="import_pacte"),
    path("import/pacte/modele.xlsx", views_io.import_template, name="import_template"),
    path("import/pacte/confirmer/", views_io.import_confirm, name="import_confirm"),
]
