"""The MSS / PSC / Annuaire factories (simulators.core.simulator contract), their options, the
deprecated module paths of the MSS package and the MSS -> PSC/Annuaire dependency direction."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import requests

from simulators.annuaire import factory as annuaire_factory
from simulators.annuaire.model import DEFAULT_API_KEYS, PATIENT_KIND as ANNUAIRE_PATIENT_KIND
from simulators.core.bench import Bench
from simulators.mss import factory as mss_factory
from simulators.mss.model import PATIENT_KIND
from simulators.mss.options import MssOptions
from simulators.psc import factory as psc_factory
from simulators.psc.codec import REALM
from tests.conftest import make_config

ROOT = Path(__file__).resolve().parents[2]
KEY = DEFAULT_API_KEYS[0]

MOVED = {
    "analysis": "codec.mime", "dsn": "codec.dsn", "mdn": "codec.mdn", "xdm": "codec.xdm",
    **{name: f"server.{name}" for name in (
        "smtp", "smtp_data", "smtp_protocol", "smtp_replies", "imap", "imap_bodystructure", "imap_config",
        "imap_connection", "imap_extensions", "imap_store", "aio", "auth", "delivery")},
}


def test_mss_options_keep_the_psc_and_annuaire_keys_of_the_mss_table() -> None:
    options = MssOptions.from_mapping({
        "psc_password": "1234", "psc_access_ttl_s": 60, "allow_test_password_grant": False,
        "psc_clients": {"dui": {"secret": "s", "redirect_uris": ["https://dui.test/cb"]}},
        "annuaire_api_keys": ["k1"], "max_recipients": 3, "extra_trust_domains": ["x.test"]})
    assert (options.psc.ecps_code, options.psc.access_ttl_s, options.psc.allow_test_password_grant) == ("1234", 60, False)
    assert [(c.client_id, c.secret, c.redirect_uris) for c in options.psc.clients] == [("dui", "s", ("https://dui.test/cb",))]
    assert options.annuaire.api_keys == ("k1",)
    assert options.operator.max_recipients == 3 and options.extra_trust_domains == ("x.test",)
    defaults = MssOptions.from_mapping({})
    assert defaults.annuaire.api_keys == DEFAULT_API_KEYS
    assert [c.client_id for c in defaults.psc.clients] == ["socle-bench-dui"]
    with pytest.raises(AttributeError):  # frozen
        defaults.tls_certificate = "other"  # type: ignore[misc]


def test_service_definitions_and_the_old_factory_shape() -> None:
    from simulators.mss import MssSimulator
    from simulators.mss.simulator import MssSimulator as Alias

    assert (mss_factory.SERVICE.name, psc_factory.SERVICE.name, annuaire_factory.SERVICE.name) == ("mss", "psc", "annuaire")
    assert MssSimulator is Alias and MssSimulator().name == "mss"
    assert ANNUAIRE_PATIENT_KIND == PATIENT_KIND  # the directory never publishes a Mon espace santé box


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_module_paths_reexport_the_moved_names(old: str) -> None:
    shim = importlib.import_module(f"simulators.mss.{old}")
    moved = importlib.import_module(f"simulators.mss.{MOVED[old]}")
    assert shim.__all__ and "Deprecated path" in (shim.__doc__ or "")
    assert all(getattr(shim, name) is getattr(moved, name) for name in shim.__all__)


def test_psc_and_annuaire_alone(tmp_path: Path) -> None:
    """Each SERVICE runs without the MSS operator: PSC answers its discovery, the Annuaire publishes
    the world's structures (and no mailbox) behind its API key, with its admin dashboard."""
    with Bench(make_config(tmp_path), [psc_factory.SERVICE, annuaire_factory.SERVICE]) as bench:
        discovery = requests.get(bench.url("psc").split(REALM)[0] + REALM
                                 + "/.well-known/openid-configuration", timeout=10)
        assert discovery.status_code == 200 and discovery.json()["issuer"]
        base = bench.url("annuaire").rstrip("/")
        assert requests.get(f"{base}/Organization", timeout=10).status_code == 401
        found = requests.get(f"{base}/Organization", headers={"ESANTE-API-KEY": KEY}, timeout=10).json()
        assert found["total"] > 0
        assert requests.get(f"{base}/Practitioner", headers={"ESANTE-API-KEY": KEY}, timeout=10).json()["total"] == 0
        dashboard = requests.get(bench.admin_url + "/_bench/annuaire/dashboard", timeout=10)
        assert dashboard.status_code == 200 and dashboard.json()["tables"][0]["title"].startswith("Structures")


def test_annuaire_dashboard_of_the_mss_bench(tmp_path: Path) -> None:
    with Bench(make_config(tmp_path), [mss_factory.SERVICE]) as bench:
        admin = bench.admin_url + "/_bench"
        document = requests.get(admin + "/annuaire/dashboard?session=demo", timeout=10).json()
        professionals = document["tables"][1]["rows"]
        assert professionals and all(row["boites"] for row in professionals)
        assert requests.get(admin + "/annuaire/dashboard?session=../x", timeout=10).status_code == 400
        assert requests.get(admin + "/mss/dashboard?session=../x", timeout=10).status_code == 400
        assert requests.get(admin + "/mss/dashboard?session=demo", timeout=10).json()["session"] == "demo"


def mss_imports(source: str) -> list[str]:
    """Modules of `simulators.mss` a source imports (anywhere, function bodies included)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        found += [n for n in names if n == "simulators.mss" or n.startswith("simulators.mss.")]
    return found


def test_the_layering_check_sees_an_mss_import() -> None:
    assert mss_imports("def f():\n    from simulators.mss.model import Mailbox\n") == ["simulators.mss.model"]
    assert mss_imports("import simulators.mss\nfrom simulators.mssx import y\n") == ["simulators.mss"]


@pytest.mark.parametrize("package", ["annuaire", "psc"])
def test_annuaire_and_psc_never_import_mss(package: str) -> None:
    offenders = {str(p.relative_to(ROOT)): mss_imports(p.read_text(encoding="utf-8"))
                 for p in (ROOT / "simulators" / package).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}
