"""Assembles the Annuaire Santé FHIR v2 simulator from the bench runtime.

`SERVICE` is the Annuaire alone (port `annuaire`, options `[services.annuaire]`): it publishes the
world's structures. The MSSanté factory composes it with its operator (`register_admin` +
`http_server`, fed with the session's mailboxes, options read from `[services.mss]` as always), so
the directory and the operator always agree (mss.md §7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulators.core.simulator import ServiceDefinition, Simulator
from simulators.identities.world import build_world

from .admin import annuaire_blueprint
from .model import DEFAULT_API_KEYS, PublishedMailbox
from .server import create_app, fhir_error
from .source import MailboxSource, directory_source

if TYPE_CHECKING:  # typing only: a service receives the runtime, it never builds one
    from simulators.core.bench import Runtime
    from simulators.core.lifecycle import Lifecycle


@dataclass(frozen=True)
class AnnuaireOptions:
    """`annuaire_api_keys`: the keys the gateway accepts (`ESANTE-API-KEY`); empty, the documented
    test keys `socle-bench-test-key` and `socle-bench-dui-de-reference`."""

    api_keys: tuple[str, ...] = DEFAULT_API_KEYS

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> AnnuaireOptions:
        keys = tuple(str(k) for k in options.get("annuaire_api_keys", ()))
        return cls(api_keys=keys or DEFAULT_API_KEYS)


def no_mailboxes(_session: str) -> Mapping[str, PublishedMailbox]:
    """The Annuaire alone: no operator, so no mailbox is published."""
    return {}


def register_admin(runtime: Runtime, mailboxes: MailboxSource) -> None:
    """`GET /_bench/annuaire/dashboard`: what the directory publishes in a session."""
    runtime.admin_blueprints.append(annuaire_blueprint(mailboxes))


def http_server(runtime: Runtime, options: AnnuaireOptions, mailboxes: MailboxSource) -> Lifecycle:
    app = create_app(directory_source(mailboxes, build_world(runtime.config.seed).establishments),
                     api_keys=options.api_keys)
    return runtime.http_server(runtime.wrap(app, service="annuaire", render_error=fhir_error), service="annuaire",
                               port_name="annuaire", client_auth="none", path="/fhir/v2",
                               configure="simulated Annuaire Santé FHIR v2: ESANTE-API-KEY header required")


def create(runtime: Runtime, options: AnnuaireOptions) -> Simulator:
    register_admin(runtime, no_mailboxes)
    return Simulator("annuaire", [http_server(runtime, options, no_mailboxes)])


SERVICE = ServiceDefinition(name="annuaire", options=AnnuaireOptions.from_mapping, create=create)
