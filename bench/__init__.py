"""Benchmarks, run by `make bench` (`python -m bench`), never by the test suite.

public_page: the published alert page through nginx and through gunicorn, against a static file.
fanout: one approval to 10,000 email subscribers through the real workers, against smtplib.
drafting: the coordinator's review page and the drafting form, against /healthz.
common: the private services, wrk, medians and ratios; smtpsink: the SMTP sink; data: fixtures.
"""
