"""Sufficiency (F10): the demand forecast beside the market's supply and diversity, for commissioners."""
