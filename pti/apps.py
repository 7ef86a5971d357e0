from django.apps import AppConfig


class PtiConfig(AppConfig):
    name = "pti"
    verbose_name = "Utilisateurs et accès"
