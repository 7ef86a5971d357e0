from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from pti import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("comptes/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("axes.urls")),
    path("", include("actions.urls")),
    path("", include("pilotage.urls")),
    path("", include("bilans.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
