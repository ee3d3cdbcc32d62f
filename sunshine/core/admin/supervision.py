"""Admin for this piece of core (being written)."""
