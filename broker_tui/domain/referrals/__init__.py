"""The referral's rules, pure: its fields parsed from what a broker typed, and its workflow.

- parse: what a person typed (or a JSON file holds) parsed into a checked draft, each problem by field;
- rules: age, urgency, funding shares, the law on where a child may live, the status workflow.
"""
