"""Every write to organisations, people and groups goes through these functions."""
