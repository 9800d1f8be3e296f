"""The search domain: indexed items and what may be seen. Standard library only."""
