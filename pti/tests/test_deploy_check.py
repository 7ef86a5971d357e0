"""`manage.py check --deploy` passes, without a single warning, with the production environment."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def test_deploy_check_passes_without_warning_in_production_shape():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pti.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "pti.example",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests; never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
