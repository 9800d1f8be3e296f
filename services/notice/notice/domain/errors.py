"""Errors of the notice domain (kinds shared hub-wide, see hubkit.errors)."""
from hubkit.errors import InvalidArgument, NotFound

__all__ = ["InvalidArgument", "NotFound"]
