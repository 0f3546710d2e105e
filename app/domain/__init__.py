"""Business rules in plain modules, free of Flask routes."""
