from django.urls import path

from actions import views_contributions

app_name = "partner_space"

urlpatterns = [
    path("espace-partenaire/", views_contributions.partner_home, name="home"),
    path("espace-partenaire/actions/<int:pk>/", views_contributions.partner_action, name="action"),
    path(
        "espace-partenaire/actions/<int:pk>/contributions/<int:year>/",
        views_contributions.contribution_edit,
        name="contribution",
    ),
]
