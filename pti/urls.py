from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import PasswordChangeView, PasswordResetConfirmView, PasswordResetView
from django.urls import include, path

from pti import api, audit, health, pending, sso, views, views_notifications
from pti.throttle import ThrottledAdminAuthenticationForm, ThrottledAuthenticationForm, ThrottledPasswordResetForm

admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_header = "Administration – Pacte territorial d'insertion"
admin.site.site_title = "PTI"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("journal/", audit.journal, name="journal"),
    path("aide/chiffres/", views.figures_help, name="figures_help"),
    path("comptes/profil/", views_notifications.profile, name="profile"),
    path("nouveautes/", views_notifications.notification_list, name="notification_list"),
    path("nouveautes/tout-lu/", views_notifications.notification_read_all, name="notification_read_all"),
    path("nouveautes/<int:pk>/lu/", views_notifications.notification_read, name="notification_read"),
    path("comptes/login/", sso.LoginView.as_view(authentication_form=ThrottledAuthenticationForm), name="login"),
    # Signing out ends the SSO provider's session too (pti/sso.py).
    path("comptes/logout/", sso.logout, name="logout"),
    path("comptes/sso/connexion/", sso.sso_login, name="sso_login"),
    path("comptes/sso/retour/", sso.sso_callback, name="sso_callback"),
    # The provider ends a session (OpenID Connect Back-Channel Logout): this URL is registered with it.
    path("comptes/sso/deconnexion-du-fournisseur/", sso.backchannel_logout, name="sso_backchannel_logout"),
    path("comptes/en-attente/", pending.pending, name="pending"),
    path("comptes/habilitations/", pending.pending_list, name="pending_list"),
    path("comptes/habilitations/<int:pk>/", pending.grant_role, name="grant_role"),
    # Reset e-mails are throttled; a reset link, which proves the mailbox, logs its user in (pti/throttle.py).
    # The password pages close when local accounts are switched off (PTI_LOCAL_LOGIN=0 with the SSO).
    path(
        "comptes/password_reset/",
        sso.local_login_required(PasswordResetView.as_view(form_class=ThrottledPasswordResetForm)),
        name="password_reset",
    ),
    path(
        "comptes/reset/<uidb64>/<token>/",
        sso.local_login_required(
            PasswordResetConfirmView.as_view(
                post_reset_login=True, post_reset_login_backend="pti.sso.LocalPasswordBackend"
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "comptes/password_change/",
        sso.local_login_required(PasswordChangeView.as_view()),
        name="password_change",
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
    path("", include("actions.urls_contributions")),
    path("", include("pilotage.urls")),
    path("", include("bilans.urls")),
    path("", include("bilans.urls_public")),
]

handler400 = "pti.views.bad_request"
handler404 = "pti.views.not_found"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
