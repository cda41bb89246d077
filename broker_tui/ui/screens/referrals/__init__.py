"""The referrals' screens: the list (F4), one referral's detail and history, and the referral form.
"""
