"""The ground floor: small primitives every app shares and that depend on no app.

Not a Django app (no models, no templates): exceptions that mean the same thing in every app, and
later the one text rule and the one way a time is shown to a person. Nothing here imports an app.
"""
