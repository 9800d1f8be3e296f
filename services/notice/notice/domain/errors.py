"""Errors of the notice domain (kinds shared hub-wide, see hubkit.errors)."""
from hubkit.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied

__all__ = ["AlreadyExists", "FailedPrecondition", "InvalidArgument", "NotFound", "PermissionDenied"]
