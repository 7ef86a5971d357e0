from django.urls import path

from actions import views_assises

app_name = "assises"

urlpatterns = [
    path("pactes/<slug:slug>/assises/", views_assises.assises_list, name="list"),
    path("pactes/<slug:slug>/assises/groupes/ajouter/", views_assises.group_create, name="group_create"),
    path("assises/groupes/<int:pk>/modifier/", views_assises.group_edit, name="group_edit"),
    path("assises/groupes/<int:pk>/reunions/ajouter/", views_assises.meeting_create, name="meeting_create"),
    path("assises/reunions/<int:pk>/modifier/", views_assises.meeting_edit, name="meeting_edit"),
    path("assises/reunions/<int:pk>/supprimer/", views_assises.meeting_delete, name="meeting_delete"),
    path("assises/groupes/<int:pk>/propositions/ajouter/", views_assises.proposal_create, name="proposal_create"),
    path("assises/propositions/<int:pk>/modifier/", views_assises.proposal_edit, name="proposal_edit"),
    path("assises/propositions/<int:pk>/supprimer/", views_assises.proposal_delete, name="proposal_delete"),
]
