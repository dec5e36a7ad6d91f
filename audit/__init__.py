"""Audit: the append-only, hash-chained log every other app writes through `audit_record`.

Its own app because every app depends on it and it depends on none of them.
"""
