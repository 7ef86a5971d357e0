"""Demo data for PTI: the two pactes of Haute-Vienne, their actions, COPILs and demo accounts.

`pilotage.demo.builder.seed()` writes it (the `seed_demo` command calls it); `pilotage.demo.accounts` holds
the demo accounts and their common password, importable without touching the database.
"""
