from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView, PasswordResetConfirmView, PasswordResetView
from django.urls import include, path

from pti import api, audit, health, views
from pti.throttle import ThrottledAdminAuthenticationForm, ThrottledAuthenticationForm, ThrottledPasswordResetForm

admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_header = "Administration – Pacte territorial d'insertion"
admin.site.site_title = "PTI"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("journal/", audit.journal, name="journal"),
    path("aide/chiffres/", views.figures_help, name="figures_help"),
    path("comptes/login/", LoginView.as_view(authentication_form=ThrottledAuthenticationForm), name="login"),
    # Reset e-mails are throttled; a reset link, which proves the mailbox, logs its user in (pti/throttle.py).
    path(
        "comptes/password_reset/",
        PasswordResetView.as_view(form_class=ThrottledPasswordResetForm),
        name="password_reset",
    ),
    path(
        "comptes/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(post_reset_login=True),
        name="password_reset_confirm",
    ),
    path("comptes/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api.urlpatterns(), "v1"), namespace="v1")),
    path("", include("actions.urls_io")),
    path("", include("pilotage.urls_io")),
    path("", include("axes.urls")),
    path("", include("actions.urls")),
    path("", include("actions.urls_partners")),
    path("", include("actions.urls_assises")),
    path("", include("pilotage.urls")),
    path("", include("bilans.urls")),
]

handler400 = "pti.views.bad_request"
handler404 = "pti.views.not_found"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
