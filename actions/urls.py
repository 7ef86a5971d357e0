from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("mes-actions/", views.my_actions, name="my_actions"),
    path("mes-actions/axes/<int:pk>/", views.my_axe_actions, name="my_axe_actions"),
    path("pactes/<slug:slug>/", views.pacte_detail, name="pacte_detail"),
    path("pactes/<slug:slug>/axes/<int:number>/", views.pacte_axe, name="pacte_axe"),
    path("actions/", views.action_list, name="list"),
    path("actions/<int:pk>/", views.action_detail, name="detail"),
    path("actions/<int:pk>/historique/", views.action_history, name="history"),
    path("actions/<int:pk>/modifier/", views.action_edit, name="edit"),
    path("actions/<int:pk>/compte-rendu/<int:year>/", views.report_edit, name="report_edit"),
    path("actions/<int:pk>/compte-rendu/<int:year>/transmettre/", views.report_transmit, name="report_transmit"),
    path("actions/<int:pk>/compte-rendu/<int:year>/renvoyer/", views.report_return, name="report_return"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
