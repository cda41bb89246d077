"""broker-tui: the placement brokerage workbench for children's commissioning."""

__version__ = "0.1.0"
