from django.urls import path

from pilotage import exports

app_name = "pilotage_io"

urlpatterns = [
    path("decisions/export.xlsx", exports.export_open_decisions, {"fmt": "xlsx"}, name="decisions_xlsx"),
    path("decisions/export.csv", exports.export_open_decisions, {"fmt": "csv"}, name="decisions_csv"),
]
