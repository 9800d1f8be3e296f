"""Errors of the notice domain (kinds shared hub-wide, see hubkit.errors)."""
from hubkit.errors import Aborted, AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied

__all__ = ["Aborted", "AlreadyExists", "FailedPrecondition", "InvalidArgument", "NotFound", "PermissionDenied"]
