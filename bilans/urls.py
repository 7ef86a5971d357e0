from django.urls import path

from bilans import views

app_name = "bilans"

urlpatterns = [
    path("bilans/", views.bilan_list, name="list"),
    path("bilans/<slug:slug>/<int:year>/", views.bilan_detail, name="detail"),
    path("bilans/<slug:slug>/<int:year>/progression/", views.bilan_progress, name="progress"),
    path("bilans/<slug:slug>/<int:year>/textes/", views.bilan_texts, name="texts"),
    path("bilans/<slug:slug>/<int:year>/generer/", views.bilan_generate, name="generate"),
    path("bilans/<slug:slug>/<int:year>/soumettre/", views.bilan_submit, name="submit"),
    path("bilans/<slug:slug>/<int:year>/approuver/", views.bilan_approve, name="approve"),
    path("bilans/<slug:slug>/<int:year>/rejeter/", views.bilan_reject, name="reject"),
    path("bilans/<slug:slug>/<int:year>/pdf/", views.bilan_pdf, name="pdf"),
    path("pactes/<slug:slug>/campagnes/<int:year>/", views.campaign, name="campaign"),
    path("pactes/<slug:slug>/campagnes/<int:year>/relances/", views.campaign_reminders, name="campaign_reminders"),
]
