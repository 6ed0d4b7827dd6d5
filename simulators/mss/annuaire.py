"""Deprecated path, kept for one release: use `simulators.annuaire` (`server.create_app`,
`source.directory_source`, `factory`), its own service package on the shared FHIR layer.

`create_app(mailboxes, api_keys=...)` builds the Annuaire app from a session -> mailboxes source, as
before; an empty `api_keys` now means the documented default test keys
(`simulators.annuaire.model.DEFAULT_API_KEYS`), not "any key".
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from simulators.annuaire import model as _model
from simulators.annuaire.server import create_app as _create_app
from simulators.annuaire.server import fhir_error
from simulators.annuaire.source import MailboxSource, directory_source
from simulators.identities.model import Establishment

__all__ = ["MailboxSource", "create_app", "fhir_error"]


def create_app(mailboxes: MailboxSource, *, api_keys: tuple[str, ...] = (),
               establishments: Iterable[Establishment] = ()) -> Flask:
    return _create_app(directory_source(mailboxes, establishments), api_keys=api_keys or _model.DEFAULT_API_KEYS)
