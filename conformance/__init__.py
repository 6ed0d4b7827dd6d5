"""Judging a DUI: requirement catalogue, checks, runner, reporters, evidence bundle.

Layering rule 3: this package reads recorded exchanges (and codecs); it never imports a server.
"""
