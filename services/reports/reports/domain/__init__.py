"""The reports domain: read models and figures. Standard library only."""
