"""Errors that domain code raises and entrypoints translate.

Standard library only, so every service's domain may subclass these. The
mapping to gRPC status codes lives in one place: ``hubkit.grpc_server``.
"""


class HubError(Exception):
    """Base of every expected, user-facing failure."""

    def __init__(self, message: str, *, field: str | None = None,
                 violations: tuple[tuple[str, str], ...] = ()):
        """``violations``: (field, description) pairs when several fields are
        wrong at once (e.g. every bad row of a batch); ``field`` defaults to
        the first of them."""
        super().__init__(message)
        self.message = message
        self.violations = tuple(violations) or (((field, message),) if field else ())
        self.field = field or (self.violations[0][0] if self.violations else None)

    def __str__(self) -> str:
        if len(self.violations) > 1:  # the message sums up; the violations name the fields
            return self.message
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidArgument(HubError):
    """A request field is missing, malformed or out of range."""


class NotFound(HubError):
    """A referenced id does not exist."""


class AlreadyExists(HubError):
    """The thing to create exists already."""


class FailedPrecondition(HubError):
    """The request is well formed but the current state forbids it."""


class Aborted(HubError):
    """Another request changed what this one read before it could write;
    nothing was written, and the same request may be tried again."""


class PermissionDenied(HubError):
    """The caller is known but may not do this."""


class Unauthenticated(HubError):
    """The caller could not be identified."""
