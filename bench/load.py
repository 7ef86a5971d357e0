"""Load run: gunicorn with 2 workers on the loopback, N concurrent referents saving their yearly report and
reading pages for a bounded time. Prints requests per second, median and 95th percentile latency, errors
(must be 0), and checks that every report saved is in the database afterwards (nothing lost).

    python bench/load.py                       # 50 referents, 20 s, on a scratch PostgreSQL database
    python bench/load.py --users 50 --seconds 30 --admin-url postgres://postgres@127.0.0.1:5432/postgres

It creates the database `pti_load_<pid>` next to the admin URL's and drops it at the end. Only 127.0.0.1.
"""

import argparse
import http.cookiejar
import io
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "charge-bench-2026"
MAX_REQUESTS_PER_USER = 400
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Referent(threading.Thread):
    def __init__(self, base, username, action_id, year, seconds, barrier, results):
        super().__init__(daemon=True)
        self.base, self.username, self.action_id, self.year = base, username, action_id, year
        self.seconds, self.barrier, self.results = seconds, barrier, results
        self.login_results = []
        self.saved = []  # texts of the saves the server accepted, in order
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())

    def request(self, path, data=None, label=None, results=None):
        url = self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + "/"}
        start = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except Exception as error:  # noqa: BLE001 - a refused or timed-out connection is an error to count
            status, text = 0, str(error)
        (self.results if results is None else results).append((label or path, status, time.perf_counter() - start))
        return status, text

    def run(self):
        # Everybody logs in first (password hashing is slow on purpose); the measured run starts together.
        status, page = self.request("/comptes/login/", label="connexion (GET)", results=self.login_results)
        token = CSRF_RE.search(page).group(1)
        self.request(
            "/comptes/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            label="connexion (POST)",
            results=self.login_results,
        )
        self.barrier.wait()
        deadline = time.monotonic() + self.seconds
        form_path = f"/actions/{self.action_id}/compte-rendu/{self.year}/"
        n = 0
        while time.monotonic() < deadline and n < MAX_REQUESTS_PER_USER:
            n += 1
            self.request("/mes-actions/", label="/mes-actions/")
            status, form = self.request(form_path, label="formulaire (GET)")
            if status != 200:
                continue
            text = f"Point d'étape n°{n} de {self.username}"
            data = {
                "csrfmiddlewaretoken": CSRF_RE.search(form).group(1),
                "version": VERSION_RE.search(form).group(1),
                "status": "in_progress",
                "progress": str(n % 101),
                "weather": "on_track",
                "advances": text,
                "draft": "1",
            }
            status, _ = self.request(form_path, data, label="enregistrement (POST)")
            if status == 302:
                self.saved.append(text)
            self.request(f"/actions/{self.action_id}/", label="page de l'action")
            self.request("/actions/?statut=in_progress", label="liste filtrée")


class AdminReader(Referent):
    """The yardstick: a staff member reading the Django admin's changelist of actions, over and over, under the
    same conditions (same number of clients, same seconds, same server) right after the referents' run."""

    def run(self):
        status, page = self.request("/admin/login/", label="connexion (GET)", results=self.login_results)
        token = CSRF_RE.search(page).group(1)
        self.request(
            "/admin/login/?next=/admin/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/admin/"},
            label="connexion (POST)",
            results=self.login_results,
        )
        self.barrier.wait()
        deadline = time.monotonic() + self.seconds
        n = 0
        while time.monotonic() < deadline and n < MAX_REQUESTS_PER_USER:
            n += 1
            self.request("/admin/actions/action/", label="admin : liste des actions")


def run_together(clients, barrier, seconds):
    """Start `clients` (each logs in, then waits at `barrier`), release them together once all are in, and wait
    for them to finish: the seconds from the release to the last one's end."""
    for client in clients:
        client.start()
    barrier.wait(timeout=300)
    started = time.perf_counter()
    for client in clients:
        client.join(seconds + 120)
    return time.perf_counter() - started


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        response = urllib.response.addinfourl(fp, headers, req.full_url, code)
        return response


def prepare(database_url, users):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pti.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from actions.models import Action
    from pti.enums import Role
    from pti.models import User

    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale=2, stdout=io.StringIO())
    actions = list(Action.objects.filter(pacte__slug="pti-2022-2025").order_by("sort_key")[:users])
    password = make_password(PASSWORD)
    accounts = []
    for i, action in enumerate(actions):
        user, _ = User.objects.update_or_create(
            username=f"charge.{i}",
            defaults={"role": Role.REFERENT, "password": password, "email": f"charge.{i}@haute-vienne.example"},
        )
        action.referents.add(user)
        accounts.append((user.username, action.pk))
    User.objects.update_or_create(
        username="charge.admin",
        defaults={"role": Role.ADMIN, "password": password, "is_staff": True, "is_superuser": True},
    )
    return accounts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--admin-url", default=os.environ.get("PTI_LOAD_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()

    import psycopg

    admin = urllib.parse.urlsplit(args.admin_url)
    name = f"pti_load_{os.getpid()}"
    database_url = urllib.parse.urlunsplit(admin._replace(path="/" + name))
    admin_dsn = args.admin_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    static_root = tempfile.mkdtemp(prefix="pti-load-static-")
    server = None
    try:
        accounts = prepare(database_url, args.users)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "load-bench-only-" + "k" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_STATIC_ROOT": static_root,
            "PTI_LOGIN_MAX_FAILURES": "1000",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        env.pop("CELERY_BROKER_URL", None)
        python = sys.executable
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "pti.wsgi",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.2)

        from actions.models import ProgressReport

        year = 2025
        results = []
        barrier = threading.Barrier(len(accounts) + 1)
        clients = [
            Referent(base, username, action_id, year, args.seconds, barrier, results)
            for username, action_id in accounts
        ]
        elapsed = run_together(clients, barrier, args.seconds)
        logins = [entry for client in clients for entry in client.login_results]

        errors = [
            (label, status) for label, status, _ in results if status >= 500 or status == 0 or status in (403, 409)
        ]
        latencies = sorted(duration for _, _, duration in results)
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0
        lost = []
        saves = 0
        for client, (username, action_id) in zip(clients, accounts, strict=True):
            saves += len(client.saved)
            report = ProgressReport.objects.filter(action_id=action_id, year=year).first()
            history = ProgressReport.history.filter(action_id=action_id, year=year).count()
            if client.saved and (report is None or report.advances != client.saved[-1] or history != len(client.saved)):
                lost.append(username)

        print(
            f"PTI charge – gunicorn {args.workers} workers, {len(clients)} référents simultanés, {args.seconds:.0f} s"
        )
        login_times = sorted(d for label, _, d in logins if label == "connexion (POST)")
        print(f"connexions préalables : {len(login_times)}, médiane {statistics.median(login_times) * 1000:.0f} ms")
        print(f"requêtes mesurées : {len(results)} en {elapsed:.1f} s, soit {len(results) / elapsed:.1f} req/s")
        print(f"latence : médiane {statistics.median(latencies) * 1000:.0f} ms, 95e centile {p95 * 1000:.0f} ms")
        by_label = {}
        for label, _status, duration in results:
            by_label.setdefault(label, []).append(duration)
        for label, durations in sorted(by_label.items()):
            print(f"  {label:28} {len(durations):6} req.  médiane {statistics.median(durations) * 1000:6.0f} ms")
        print(f"comptes rendus enregistrés : {saves} ; perdus : {len(lost)} {lost[:5]}")
        print(f"erreurs : {len(errors)} {errors[:5]}")

        # The same load on the Django admin's changelist of actions, right after, on the same server.
        admin_results = []
        admin_barrier = threading.Barrier(len(accounts) + 1)
        readers = [
            AdminReader(base, "charge.admin", None, year, args.seconds, admin_barrier, admin_results) for _ in accounts
        ]
        admin_elapsed = run_together(readers, admin_barrier, args.seconds)
        admin_errors = [(label, status) for label, status, _ in admin_results if status != 200]
        admin_latencies = sorted(duration for _, _, duration in admin_results)
        admin_rps = len(admin_results) / admin_elapsed
        rps = len(results) / elapsed
        print(
            f"admin Django, même charge juste après : {len(admin_results)} requêtes en {admin_elapsed:.1f} s, soit"
            f" {admin_rps:.1f} req/s ; latence médiane {statistics.median(admin_latencies) * 1000:.0f} ms ;"
            f" erreurs : {len(admin_errors)}"
        )
        print(f"débit de PTI rapporté à celui de l'admin : {rps / admin_rps:.2f} (objectif ≥ 1)")
        ok = not errors and not lost and saves > 0
        print("résultat :", "OK" if ok else "ÉCHEC")
        sys.exit(0 if ok else 1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
