"""Outreach screens: sending to the shortlist, offers and declines, comparing offers, the search log.
"""
