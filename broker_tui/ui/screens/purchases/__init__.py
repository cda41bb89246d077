"""Spot purchases: the list of agreements (F5), one agreement with its versions, approvals and
projections, and the acts on it (submit, approve, reject, cancel, amend, end); the forms to record an
agreement and to amend one."""
