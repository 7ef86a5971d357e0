from django import template

from pti import access

register = template.Library()


@register.filter
def can(user, permission):
    """`{% if user|can:"manage_bilans" %}`: the access rule, for permissions that need no object."""
    return access.can(user, permission)


@register.simple_tag
def can_on(user, permission, obj):
    """`{% can_on user "edit_action" action as editable %}`: the access rule on an object."""
    return access.can(user, permission, obj)
