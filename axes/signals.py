"""Hooks for the apps above `axes` (docs/architecture.md: axes imports none of them).

`pacte_years_changing` is sent (sender: the Pacte model) before a pacte's years become `first_year`-`last_year`,
with `pacte`; a receiver returns a French sentence saying why the change would strand data it holds in the years
that would leave the pacte (reports, indicator values, budgets…), or None. The first refusal stops the change.
"""

from django.dispatch import Signal

pacte_years_changing = Signal()
