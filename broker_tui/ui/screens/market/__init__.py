"""The market's screens: the provider directory (F3) and one service's detail.
"""
