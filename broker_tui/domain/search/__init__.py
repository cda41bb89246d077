"""Free-text search, pure: the typo-tolerant index over the market and the words it is built from.

- text: the word tokens (case, accents, plurals folded) and the searchable fields of a service;
- index: the inverted index with vocabulary expansion (rapidfuzz near neighbours), re-ranked by WRatio.
"""
