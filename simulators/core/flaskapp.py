"""The Flask application every simulator and the admin API are built on: `flask_app(name)`.

One difference from a plain `Flask(name)`: werkzeug compiles two URL-builder functions per route when
the route is registered (Python source generated and compiled, about 0.3 ms a route); the bench
registers about a hundred routes at start and builds URLs with none of them. Here a route's builders
are compiled the first time a URL is built from it (`url_for`), so `serve` starts without that work.
Matching requests to routes is werkzeug's own, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A werkzeug `Rule` whose URL builders compile on first use (same builders, same results)."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            if not compiled:
                compiled.append(Rule._compile_builder(rule, append_unknown))
            return compiled[0](rule, **values)

        return build


class _BenchFlask(Flask):
    url_rule_class = LazyBuilderRule  # a class attribute: the static route Flask adds in __init__ is lazy too


def flask_app(name: str) -> Flask:
    return _BenchFlask(name)
