"""A bench reached by a name (compose service, Kubernetes, a LAN host): certificates, CRLs and URLs use it."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import requests
from cryptography import x509

from simulators.cli import build_parser, config_from_args
from simulators.core.bench import Bench
from simulators.core.config import ConfigError, environment_overrides, load_config
from tests.support.echo import EchoSimulator


def test_environment_configures_names_and_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"SOCLE_BENCH_TLS_NAMES": "ins, bench.local ,", "SOCLE_BENCH_PUBLIC_HOST": "ins",
           "SOCLE_BENCH_ADMIN_PORT": "9090"}
    assert environment_overrides(env) == {"tls_names": ("ins", "bench.local"), "public_host": "ins"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = config_from_args(build_parser().parse_args(["serve"]))
    assert config.server_names == ("ins", "bench.local")
    assert config.port("admin") == 9090 and config.crl_base_url == "http://ins:9090"
    monkeypatch.setenv("SOCLE_BENCH_ADMIN_PORT", "huit")
    with pytest.raises(ConfigError, match="admin port"):
        config_from_args(build_parser().parse_args(["serve"]))


def test_file_keys_and_the_older_spelling_are_read(tmp_path: Path) -> None:
    cfg = tmp_path / "bench.toml"
    cfg.write_text('tls_names = ["dmp"]\npublic_base_url = "https://crl.example/_bench"\n'
                   '[services.server]\ntls_names = ["old"]\n', encoding="utf-8")
    config = load_config(cfg)
    assert config.server_names == ("dmp", "old")
    assert config.crl_base_url == "https://crl.example/_bench"


def test_served_certificate_and_advertised_urls_carry_the_public_host(tmp_path: Path) -> None:
    from simulators.core.pki import open_or_init

    config = load_config(None, data_dir=tmp_path, public_host="banc-socle", tls_names=("autre",)).ephemeral()
    pki = open_or_init(tmp_path / "pki", base_url=config.crl_base_url)
    with Bench(config, [EchoSimulator()], pki=pki) as bench:
        services = requests.get(f"http://127.0.0.1:{bench.admin.port}/_bench/services", timeout=5).json()
        echo = next(s for s in services if s["service"] == "echo")
        assert echo["url"].startswith("https://banc-socle:")
        port = int(echo["url"].split(":")[2].split("/")[0])
        pem = ssl.get_server_certificate(("127.0.0.1", port))
    san = x509.load_pem_x509_certificate(pem.encode()).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert {"banc-socle", "autre", "localhost"} <= set(san.value.get_values_for_type(x509.DNSName))
