"""Project-wide pytest fixtures. Factories live in each app's tests/factories.py."""
