from django.urls import path

from actions import views_followup

# Included in actions/urls.py (namespace "actions").
urlpatterns = [
    path("actions/<int:pk>/modifier/etapes/", views_followup.milestones, name="edit_milestones"),
    path("actions/<int:pk>/modifier/etapes/nouvelle/", views_followup.milestone_edit, name="milestone_create"),
    path("actions/<int:pk>/modifier/etapes/<int:milestone>/", views_followup.milestone_edit, name="milestone_edit"),
    path(
        "actions/<int:pk>/modifier/etapes/<int:milestone>/franchie/",
        views_followup.milestone_done,
        name="milestone_done",
    ),
    path(
        "actions/<int:pk>/modifier/etapes/<int:milestone>/supprimer/",
        views_followup.milestone_delete,
        name="milestone_delete",
    ),
    path("actions/<int:pk>/notes/nouvelle/", views_followup.note_create, name="note_create"),
    path("notes-de-suivi/<int:pk>/document/", views_followup.note_document, name="note_document"),
]
