"""Shared plumbing of the department information hub.

Configuration, the event envelope, the transactional outbox and its relay,
idempotent consumption, the gRPC server bootstrap, caller identity and the
``hub`` command line. Services import it; nothing here knows a service's domain.
"""
