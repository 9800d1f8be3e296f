"""The notice domain: groups and notices. Standard library only."""
