from django.urls import path

from actions import urls_followup, views, views_autosave, views_sheet, views_timeline

app_name = "actions"

urlpatterns = [
    path("mes-actions/", views.my_actions, name="my_actions"),
    path("mes-actions/axes/<int:pk>/", views.my_axe_actions, name="my_axe_actions"),
    path("pactes/<slug:slug>/", views.pacte_detail, name="pacte_detail"),
    path("pactes/<slug:slug>/axes/<int:number>/", views.pacte_axe, name="pacte_axe"),
    path("pactes/<slug:slug>/calendrier/", views_timeline.pacte_timeline, name="pacte_timeline"),
    path("actions/", views.action_list, name="list"),
    path("actions/<int:pk>/", views.action_detail, name="detail"),
    path("actions/<int:pk>/historique/", views.action_history, name="history"),
    path("actions/<int:pk>/modifier/", views.action_edit, name="edit"),
    path("pactes/<slug:slug>/axes/<int:number>/nouvelle-action/", views_sheet.action_create, name="create"),
    path("actions/<int:pk>/modifier/referents/", views_sheet.action_referents, name="edit_referents"),
    path("actions/<int:pk>/modifier/partenaires/", views_sheet.action_partners, name="edit_partners"),
    path("actions/<int:pk>/modifier/budget/", views_sheet.action_budget, name="edit_budget"),
    path("actions/<int:pk>/modifier/indicateurs/", views_sheet.action_indicators, name="edit_indicators"),
    path("actions/<int:pk>/modifier/indicateurs/nouveau/", views_sheet.indicator_edit, name="indicator_create"),
    path("actions/<int:pk>/modifier/indicateurs/<int:indicator>/", views_sheet.indicator_edit, name="indicator_edit"),
    path(
        "actions/<int:pk>/modifier/indicateurs/<int:indicator>/supprimer/",
        views_sheet.indicator_delete,
        name="indicator_delete",
    ),
    path("actions/<int:pk>/compte-rendu/<int:year>/", views.report_edit, name="report_edit"),
    path(
        "actions/<int:pk>/compte-rendu/<int:year>/brouillon-auto/",
        views_autosave.report_autosave,
        name="report_autosave",
    ),
    path("actions/<int:pk>/compte-rendu/<int:year>/transmettre/", views.report_transmit, name="report_transmit"),
    path("actions/<int:pk>/compte-rendu/<int:year>/apercu/", views.report_preview, name="report_preview"),
    path("actions/<int:pk>/compte-rendu/<int:year>/renvoyer/", views.report_return, name="report_return"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
urlpatterns += urls_followup.urlpatterns
