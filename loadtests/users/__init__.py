"""Locust users of the socle services, built on the reference clients (abstract: the profiles in
`loadtests/locustfiles/` make concrete, weighted users of them)."""
