"""Errors raised while loading specs: one line naming where, what was found and what was expected."""


class SpecError(ValueError):
    """A product spec in the dbt project is invalid."""
