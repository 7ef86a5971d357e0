"""What is kept in the cache is named by the code that made it (pti.stamps.release): a deployment that changes a
template, a figure's code or a translation serves nothing made by the code it replaced, even without migration."""

from django.core.cache import cache

from pti import fragments, stamps


def checkout(root, row="<tr><td>{{ action.number }}</td></tr>"):
    """A project's files under `root`: an app's module and template, a translation and a test."""
    (root / "actions" / "templates" / "actions").mkdir(parents=True)
    (root / "actions" / "tests").mkdir()
    (root / "actions" / "views.py").write_text("def view(): pass\n")
    (root / "actions" / "templates" / "actions" / "_row.html").write_text(row)
    (root / "actions" / "tests" / "test_views.py").write_text("def test(): pass\n")
    (root / "locale").mkdir()
    (root / "locale" / "django.mo").write_bytes(b"\x00\x01")
    return [root / "actions", root / "locale"]


def test_the_release_changes_with_a_template_and_not_with_a_test_or_the_checkouts_place(tmp_path):
    first = stamps._release_of(checkout(tmp_path / "a"), tmp_path / "a")
    assert stamps._release_of(checkout(tmp_path / "b"), tmp_path / "b") == first  # another server's checkout
    (tmp_path / "a" / "actions" / "tests" / "test_views.py").write_text("def test(): assert True\n")
    assert stamps._release_of([tmp_path / "a" / "actions", tmp_path / "a" / "locale"], tmp_path / "a") == first
    changed = checkout(tmp_path / "d", row="<tr><td>{{ action.number }} – {{ action.title }}</td></tr>")
    assert stamps._release_of(changed, tmp_path / "d") != first
    (tmp_path / "b" / "locale" / "django.mo").write_bytes(b"\x00\x02")  # a translation compiled again
    assert stamps._release_of([tmp_path / "b" / "actions", tmp_path / "b" / "locale"], tmp_path / "b") != first


def test_the_release_hashes_the_projects_apps_templates_and_requirements_not_the_installed_packages():
    from django.conf import settings

    base = settings.BASE_DIR.resolve()
    roots = stamps._release_roots()
    for name in ("pti", "axes", "actions", "pilotage", "bilans", "templates", "static", "requirements.txt"):
        assert base / name in roots
    assert not [root for root in roots if "site-packages" in root.parts or ".venv" in root.parts]
    assert len(stamps.release()) == 16


def test_a_part_rendered_by_the_code_before_a_deployment_is_rendered_again(monkeypatch):
    cache.clear()
    rendered = []

    def render():
        rendered.append(1)
        return f"<p>rendu n° {len(rendered)}</p>"

    assert fragments.cached(("release-test",), render, content={"n": 1}) == "<p>rendu n° 1</p>"
    assert fragments.cached(("release-test",), render, content={"n": 1}) == "<p>rendu n° 1</p>"
    monkeypatch.setattr(stamps, "release", lambda: "une-autre-version")  # the next deployment's processes
    assert fragments.cached(("release-test",), render, content={"n": 1}) == "<p>rendu n° 2</p>"
    assert len(rendered) == 2
