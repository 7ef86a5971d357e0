from django.urls import path

from axes import views

app_name = "axes"

urlpatterns = [
    path("nouveau-pacte/", views.pacte_create, name="pacte_create"),
    path("pactes/<slug:slug>/modifier/", views.pacte_edit, name="pacte_edit"),
    path("pactes/<slug:slug>/plan/", views.plan, name="plan"),
    path("pactes/<slug:slug>/axes/ajouter/", views.axe_create, name="axe_create"),
    path("axes/<int:pk>/modifier/", views.axe_edit, name="axe_edit"),
    path("axes/<int:pk>/supprimer/", views.axe_delete, name="axe_delete"),
    path("axes/<int:pk>/objectifs/ajouter/", views.objectif_create, name="objectif_create"),
    path("objectifs/<int:pk>/modifier/", views.objectif_edit, name="objectif_edit"),
    path("objectifs/<int:pk>/supprimer/", views.objectif_delete, name="objectif_delete"),
]
