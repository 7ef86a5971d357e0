"""Links to objects of which a page shows hundreds (an axe's actions, a campaign's referents' reports): the URL
pattern is reversed once per URL name, script prefix and URLconf, then only the object's id changes. Django's
`reverse` resolves the whole name each time, which made a tenth of such a page's time."""

from django.urls import get_script_prefix, get_urlconf, reverse

PLACEHOLDER = 2147483647  # an id no row has; only these digits of the reversed URL are replaced
_PATTERNS = {}


def object_url(name, pk):
    """`reverse(name, args=[pk])`, for a URL whose only argument is an integer id."""
    key = (name, get_script_prefix(), get_urlconf())
    pattern = _PATTERNS.get(key)
    if pattern is None:
        reversed_url = reverse(name, args=[PLACEHOLDER])
        pattern = _PATTERNS[key] = reversed_url.replace("{", "{{").replace("}", "}}").replace(str(PLACEHOLDER), "{}")
    return pattern.format(int(pk))
