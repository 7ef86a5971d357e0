"""django-bootstrap5 renderers of our own.

`FilterFieldRenderer` (`{% bootstrap_field field layout="filter" %}`) draws a list's filter: a filter is not an
answer to check, so a field that was understood is not marked "valid" (a green tick on every filter); one that
was not is still marked wrong, with its message.
"""

from django_bootstrap5.renderers import FieldRenderer


class FilterFieldRenderer(FieldRenderer):
    def get_server_side_validation_classes(self):
        return "is-invalid" if self.field_errors else ""
