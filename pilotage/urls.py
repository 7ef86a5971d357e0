from django.urls import path

from pilotage import views

app_name = "pilotage"

urlpatterns = [
    path("pilotage/", views.index, name="index"),
    path("pactes/<slug:slug>/tableau-de-bord/", views.dashboard_page, name="dashboard"),
    path("pactes/<slug:slug>/tableau-de-bord/a-surveiller/", views.attention_page, name="attention"),
    path("pactes/<slug:slug>/tableau-de-bord/indicateurs/", views.indicators_page, name="indicators"),
    path("pactes/<slug:slug>/copils/", views.copil_list, name="copil_list"),
    path("pactes/<slug:slug>/copils/ajouter/", views.copil_create, name="copil_create"),
    path("copils/<int:pk>/", views.copil_detail, name="copil_detail"),
    path("copils/<int:pk>/modifier/", views.copil_edit, name="copil_edit"),
    path("copils/<int:pk>/decisions/ajouter/", views.decision_create, name="decision_create"),
    path("copils/<int:pk>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("copils/<int:pk>/dossier-pdf/", views.dossier_job, name="dossier_job"),
    path("copils/<int:pk>/dossier-pdf/progression/", views.dossier_progress, name="dossier_progress"),
    path("copils/<int:pk>/dossier/", views.dossier_print, name="dossier_print"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/<int:pk>/modifier/", views.decision_edit, name="decision_edit"),
    path("decisions/<int:pk>/suivi/", views.decision_follow_up, name="decision_follow_up"),
]
