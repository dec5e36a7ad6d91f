"""Accounts: the custom user (email is the login), sign-in, re-authentication and API tokens.

A separate app because authentication is cross-cutting: agencies, alerts and notifications all
rely on it, and the security issue (two factors, lockout, sessions) grows here.
"""
