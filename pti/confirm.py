"""Irreversible steps ask once, with what they will do: the form's POST is shown back as a confirmation page
(every field carried in hidden inputs) and performed only when it comes back with `confirmed`."""

from django.shortcuts import render

CONFIRMED = "confirmed"


def is_confirmed(request):
    return request.POST.get(CONFIRMED) == "1"


def confirmation_page(request, *, title, intro, lines=(), button, cancel_url, status=200, extra=None):
    """The page that asks: `intro` and `lines` say what will happen; "`button`" posts the same data again."""
    carried = [(name, value) for name in request.POST for value in request.POST.getlist(name)]
    carried = [(name, value) for name, value in carried if name not in ("csrfmiddlewaretoken", CONFIRMED)]
    context = {
        "title": title,
        "intro": intro,
        "lines": lines,
        "button": button,
        "cancel_url": cancel_url,
        "carried": carried,
        "action_url": request.get_full_path(),
        **(extra or {}),
    }
    return render(request, "confirm.html", context, status=status)
