"""Caller identity: HS256 bearer tokens carried in gRPC metadata.

Requests never name their caller in their own fields; the verified token does.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from hubkit.errors import Unauthenticated

ISSUER = "hub"
ALGORITHM = "HS256"
# Role of trusted in-house callers (internal RPC, the demo's operator token).
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Caller:
    user_id: str
    departments: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    display_name: str = ""

    @property
    def is_system(self) -> bool:
        return SYSTEM_ROLE in self.roles

    def principals(self) -> tuple[str, ...]:
        """Names under which things may be shared with this caller."""
        return (("everyone", f"user:{self.user_id}")
                + tuple(f"dept:{d}" for d in self.departments)
                + tuple(f"group:{g}" for g in self.groups))


def issue_token(secret: str, caller: Caller, *, ttl_seconds: int = 3600, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": ISSUER,
        "sub": caller.user_id,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "name": caller.display_name,
        "departments": list(caller.departments),
        "groups": list(caller.groups),
        "roles": list(caller.roles),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _string_list(claims: dict, name: str) -> tuple[str, ...]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Unauthenticated(f"token claim {name!r} must be a list of strings")
    return tuple(value)


def verify_token(secret: str, token: str) -> Caller:
    return _verify(secret, token)[0]


def _verify(secret: str, token: str) -> tuple[Caller, float]:
    """The caller and the expiry time of a valid token."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "sub", "iss"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("token has expired") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated(f"invalid token: {exc}") from None
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise Unauthenticated("token has no subject")
    return Caller(
        user_id=claims["sub"],
        departments=_string_list(claims, "departments"),
        groups=_string_list(claims, "groups"),
        roles=_string_list(claims, "roles"),
        display_name=str(claims.get("name", "")),
    ), float(claims["exp"])


def _bearer_token(metadata) -> str:
    values = [v for k, v in (metadata or ()) if k == "authorization"]
    if not values:
        raise Unauthenticated("missing authorization metadata (Bearer token)")
    scheme, _, token = values[0].partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("authorization metadata must be 'Bearer <token>'")
    return token.strip()


def caller_from_metadata(secret: str, metadata) -> Caller:
    """The caller named by an ``authorization: Bearer <jwt>`` metadata entry."""
    return verify_token(secret, _bearer_token(metadata))


class TokenVerifier:
    """``caller_from_metadata`` for a server: a client sends the same token
    with every call, so tokens verified once are remembered until they
    expire (a bounded number of them) instead of checking the signature each time."""

    def __init__(self, secret: str, *, capacity: int = 10_000, clock=time.time):
        self.secret = secret
        self.capacity = capacity
        self.clock = clock
        self._verified: dict[str, tuple[Caller, float]] = {}

    def caller(self, metadata) -> Caller:
        token = _bearer_token(metadata)
        known = self._verified.get(token)
        if known is not None and self.clock() < known[1]:
            return known[0]
        caller, expires = _verify(self.secret, token)  # raises Unauthenticated, expired included
        if len(self._verified) >= self.capacity:
            self._verified.clear()  # crude but bounded; re-verification is cheap enough
        self._verified[token] = (caller, expires)
        return caller


def bearer_metadata(token: str) -> tuple[tuple[str, str], ...]:
    """Metadata a client sends with each call."""
    return (("authorization", f"Bearer {token}"),)
