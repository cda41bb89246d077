"""Block contracts screens: the list, one contract with its unit-by-unit occupancy, usage and terms, and the
dialogs to place a child into a free unit, end a placement, set a unit's status and amend the terms."""
