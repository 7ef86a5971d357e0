"""QuickSelect writes the very select Django's template-rendered Select writes (attributes in another order and
whitespace aside): same attributes, same options, same choice, same escaping."""

from html.parser import HTMLParser

from django import forms

from pti.widgets import QuickSelect, QuickSelectMultiple


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


def elements(html):
    parser = _Elements()
    parser.feed(str(html))
    return parser.items


CHOICES = [
    ("", "---------"),
    (1, "France Travail"),
    (2, 'Mission <locale> & "co"'),
    ("Chambres", [(3, "CCI Limousin"), (4, "Chambre des métiers")]),
]


def test_a_quick_select_writes_what_django_writes():
    attrs = {"class": "form-select", "required": True, "aria-describedby": "aide", "data-x": 'a"b'}
    for value in (None, "", 2, "4", 99):
        quick = QuickSelect(attrs=attrs, choices=CHOICES).render("partner", value, {"id": "id_partner"})
        django = forms.Select(attrs=attrs, choices=CHOICES).render("partner", value, {"id": "id_partner"})
        assert elements(quick) == elements(django), value
    chosen = QuickSelect(choices=CHOICES).render("partner", 2)
    assert '<option value="2" selected>Mission &lt;locale&gt; &amp; &quot;co&quot;</option>' in chosen
    assert '<optgroup label="Chambres">' in chosen


def test_a_quick_multiple_select_writes_what_django_writes():
    quick = QuickSelectMultiple(choices=CHOICES).render("partners", [1, 3], {"id": "id_partners"})
    django = forms.SelectMultiple(choices=CHOICES).render("partners", [1, 3], {"id": "id_partners"})
    assert elements(quick) == elements(django)
    assert "multiple" in quick and quick.count(" selected") == 2
