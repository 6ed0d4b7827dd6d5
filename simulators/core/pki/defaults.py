"""The certificates every bench PKI holds after `pki init`: one of each kind a DUI or a test needs.

Negative variants share the subject of the valid INSi certificate so that a refusal can only come from
the defect under test (dates, revocation, issuer, key usage).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypedDict

from .profiles import CertRequest, structure_id_from_finess

DEFAULT_PASSWORD = "socle-bench"
DEFAULT_FINESS = "750000002"  # synthetic, Luhn-valid FINESS
DEFAULT_ORGANISATION = "CENTRE HOSPITALIER DE TEST SOCLE-BENCH"
DEFAULT_RPPS = "10001234565"  # synthetic, Luhn-valid RPPS
DUI_CN = "DUI-SOCLE-BENCH"  # DMP: AUTH_CLI and SIGN must carry the same DN
LOCAL_NAMES = ("localhost",)
LOCAL_IPS = ("127.0.0.1", "::1")

NEGATIVE_VARIANTS = ("expired", "not-yet-valid", "revoked", "wrong-issuer", "wrong-key-usage")


class _Organisation(TypedDict):
    organisation: str
    structure_id: str


def default_requests() -> list[CertRequest]:
    structure = structure_id_from_finess(DEFAULT_FINESS)
    org: _Organisation = {"organisation": DEFAULT_ORGANISATION, "structure_id": structure}
    insi_auto = CertRequest("auth-cli", name="insi-auto", cn="INSI-AUTO", **org)
    requests = [
        CertRequest("server", name="server", cn="localhost", dns_names=LOCAL_NAMES, ip_addresses=LOCAL_IPS),
        insi_auto,
        CertRequest("auth-cli", name="insi-manu", cn="INSI-MANU", **org),
        CertRequest("auth-cli", name="org-auth-cli", cn=DUI_CN, **org),
        CertRequest("sign", name="org-sign", cn=DUI_CN, **org),
        CertRequest("cps", name="cps", rpps=DEFAULT_RPPS, given_name="JEAN", surname="MEDECIN-TEST",
                    title="Médecin", **org),
    ]
    requests += [replace(insi_auto, name=f"insi-auto-{variant}", variant=variant) for variant in NEGATIVE_VARIANTS]
    return requests


def server_request(name: str, dns_names: tuple[str, ...] = (), ip_addresses: tuple[str, ...] = ()) -> CertRequest:
    """Server certificate of one simulator: reachable as localhost, by its compose service name, and
    by any configured public names."""
    names = tuple(dict.fromkeys((*LOCAL_NAMES, *((name,) if _is_dns_label(name) else ()), *dns_names)))
    ips = tuple(dict.fromkeys((*LOCAL_IPS, *ip_addresses)))
    return CertRequest("server", name=f"server-{name}", cn=dns_names[0] if dns_names else LOCAL_NAMES[0],
                       dns_names=names, ip_addresses=ips)


def _is_dns_label(name: str) -> bool:
    return name.replace("-", "").isalnum() and name.isascii() and not name.startswith("-")
