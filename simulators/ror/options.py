"""The `[services.ror]` options, read once at start-up by the factory (`RorOptions.from_mapping`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulators.ror.model import DEFAULT_BASE, RorClient, default_clients

__all__ = ["RorOptions"]


@dataclass(frozen=True)
class RorOptions:
    base: str = DEFAULT_BASE
    header_status: int = 403
    token_ttl_s: int = 300
    capacity_same_entry: bool = False
    mecs: str = "offers"
    ig_examples: bool = True
    volume: int = 0
    region: str | None = None
    export_delay_s: float = 0.5
    unknown_params: str = "hapi"
    #: registered OAuth clients; the admin API adds some at run time (the dict, not the field, changes)
    clients: dict[str, RorClient] = field(default_factory=default_clients)

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any] | None) -> RorOptions:
        """`[services.ror]` keys: base, header_status, token_ttl_s, capacity_semantics ("hapi" |
        "same-entry"), mecs, ig_examples, volume, region, export_delay_s, unknown_params ("hapi": unknown
        `_x` ignored and unknown names refused as HAPI 6.x; "lenient"; "strict"), and `[services.ror.clients.<id>]`
        tables with profile / secret / cert_cn."""
        options = options or {}
        base = str(options.get("base", DEFAULT_BASE)).rstrip("/")
        header_status = int(options.get("header_status", 403))
        if header_status not in (400, 401, 403):
            raise ValueError("services.ror.header_status doit valoir 400, 401 ou 403")
        mecs = str(options.get("mecs", "offers"))
        if mecs not in ("offers", "organizations", "absent"):
            raise ValueError("services.ror.mecs doit valoir offers, organizations ou absent")
        unknown_params = str(options.get("unknown_params", "hapi"))
        if unknown_params not in ("hapi", "lenient", "strict"):
            raise ValueError("services.ror.unknown_params doit valoir hapi, lenient ou strict")
        clients = default_clients()
        for cid, spec in (options.get("clients") or {}).items():
            clients[cid] = RorClient(cid, int(spec.get("profile", 0)), str(spec.get("secret", "")),
                                     str(spec.get("cert_cn", "")))
        return cls(base=base if base.startswith("/") else "/" + base, header_status=header_status,
                   token_ttl_s=int(options.get("token_ttl_s", 300)),
                   capacity_same_entry=options.get("capacity_semantics", "hapi") == "same-entry",
                   mecs=mecs, ig_examples=bool(options.get("ig_examples", True)),
                   volume=int(options.get("volume", 0)), region=options.get("region"),
                   export_delay_s=float(options.get("export_delay_s", 0.5)), unknown_params=unknown_params,
                   clients=clients)

    #: the older name, kept for one release
    from_config = from_mapping
