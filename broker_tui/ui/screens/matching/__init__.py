"""Find placements: the ranked market for a referral or an ad hoc search, its filters and results.
"""
