"""The French step library of socle-bench, for the shipped features and for vendors' own.

In a ``conftest.py``::

    from features.steps import *  # noqa: F401,F403 - registers the steps and the ``parcours`` fixture

The pytest plugin (``conformance.pytest_plugin``, loaded by the ``pytest11`` entry point) provides
the bench, the world and the DUI driver these steps act through.
"""

from features.steps.checks import *  # noqa: F403
from features.steps.mes import *  # noqa: F403
from features.steps.socle import *  # noqa: F403
