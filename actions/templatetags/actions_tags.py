from django import template

from actions.enums import status_count as count_label

register = template.Library()


@register.filter
def status_count(n, status):
    """`{{ n|status_count:"done" }}` → "14 réalisées" (actions.enums.status_count)."""
    return count_label(status, int(n or 0))
