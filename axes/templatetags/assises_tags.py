"""`{% assises_summary pacte %}`: the section « Des Assises aux actions » (axes.assises.summary), for the pacte
page and the public page alike; `link=False` leaves out the link to the signed-in pages."""

from django import template

from axes import assises
from pti import access

register = template.Library()


@register.inclusion_tag("axes/_assises_summary.html", takes_context=True)
def assises_summary(context, pacte, data=None, link=True, heading="h2"):
    data = data if data is not None else assises.summary(pacte)
    request = context.get("request")
    return {
        "can_manage": link and request is not None and access.can_manage_assises(request.user),
        "pacte": pacte,
        "assises": data,
        "chart": assises.summary_chart(data),
        "link": link,
        "heading": heading,
    }


@register.filter
def assises_intro(data):
    return assises.intro(data)
