from django.urls import path

from actions import views_partners

app_name = "partners"

urlpatterns = [
    path("partenaires/", views_partners.partner_list, name="list"),
    path("partenaires/export.xlsx", views_partners.partner_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("partenaires/export.csv", views_partners.partner_export, {"fmt": "csv"}, name="export_csv"),
    path("partenaires/nouveau/", views_partners.partner_create, name="create"),
    path("partenaires/fusionner/", views_partners.partner_merge, name="merge"),
    path("partenaires/<int:pk>/", views_partners.partner_detail, name="detail"),
    path("partenaires/<int:pk>/modifier/", views_partners.partner_edit, name="edit"),
    path("partenaires/<int:pk>/comptes/", views_partners.partner_members, name="members"),
    path(
        "partenaires/<int:pk>/comptes/<int:member>/retirer/",
        views_partners.partner_member_remove,
        name="member_remove",
    ),
]
