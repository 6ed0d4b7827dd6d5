import pytest

from simulators.core.config import DEFAULT_PORTS, ConfigError, load_config


def test_defaults_are_the_documented_ports():
    cfg = load_config()
    assert cfg.port("admin") == 8080 and cfg.ports == DEFAULT_PORTS
    assert cfg.database_url.endswith(".socle-bench/bench.db")
    assert all(p == 0 for p in cfg.ephemeral().ports.values())


def test_toml_file_and_overrides(tmp_path):
    f = tmp_path / "bench.toml"
    f.write_text('seed = 7\nonly = ["ins"]\n[ports]\nadmin = 9090\n[journal]\nbatch_size = 10\n'
                 '[services.ins]\nreturned_oid = "1.2.250.1.213.1.4.10"\n'
                 '[[faults]]\nkind = "latency"\nservice = "ins"\nlatency_ms = 20\n', encoding="utf-8")
    cfg = load_config(f, seed=None, host="0.0.0.0")
    assert cfg.seed == 7 and cfg.host == "0.0.0.0" and cfg.only == ("ins",)
    assert cfg.port("admin") == 9090 and cfg.port("dmp") == 8444
    assert cfg.journal.batch_size == 10
    assert cfg.service_options("ins") == {"returned_oid": "1.2.250.1.213.1.4.10"}
    assert cfg.faults[0]["latency_ms"] == 20


def test_bad_files_are_reported(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_config(unknown)


def test_bench_seed_is_the_world_default_seed():
    """`socle-bench data export` must show the world the simulators seed their sessions from."""
    from simulators.identities.world import DEFAULT_SEED

    assert load_config().seed == DEFAULT_SEED


def test_admin_table(tmp_path):
    import pytest

    from simulators.core.config import ConfigError, load_config

    cfg = tmp_path / "b.toml"
    cfg.write_text('[admin]\ntoken = "t-123456789012"\ntrusted_networks = []\nallowed_hosts = ["bench.lan"]\n'
                   '[journal]\ndurable = false\nkeep_secrets = true\n', encoding="utf-8")
    config = load_config(cfg)
    assert config.admin.token == "t-123456789012" and config.admin.trusted_networks == ()
    assert config.admin.allowed_hosts == ("bench.lan",)
    assert config.journal.durable is False and config.journal.keep_secrets is True
    cfg.write_text('[admin]\ncolour = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(cfg)
