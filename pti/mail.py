"""E-mails of PTI: a text and an HTML part from two templates, with the site's address and the département's
identity in their context. Called by the apps' tasks (after the commit)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute_url(path):
    return settings.SITE_URL + path


def templated_email(subject, template, context, to):
    """The message from `<template>.txt` and `<template>.html`, ready to `.send()`."""
    context = {**context, "site_url": settings.SITE_URL, "departement": settings.DEPARTEMENT}
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    return message
