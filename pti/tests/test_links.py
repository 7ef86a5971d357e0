"""pti.links.object_url gives what reverse gives, under any script prefix."""

from django.urls import reverse, set_script_prefix

from pti.links import object_url


def test_object_url_is_reverse_for_every_id_and_prefix():
    try:
        for prefix in ("/", "/pti/", "/départ{em}ent/"):
            set_script_prefix(prefix)
            for name in ("actions:detail", "partners:detail"):
                for pk in (1, 7, 42, 123456789, "9"):
                    assert object_url(name, pk) == reverse(name, args=[pk]), (prefix, name, pk)
        set_script_prefix("/pti/")
        assert object_url("actions:detail", 3) == "/pti/actions/3/"
    finally:
        set_script_prefix("/")
