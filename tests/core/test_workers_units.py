"""Units under `serve --workers`: the shared flag of a SQLite database, the bus's
listener watch, the worker count in the configuration and on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.cli import build_parser, config_from_args
from simulators.core.config import ConfigError, load_config, parse_workers, usable_cpus
from simulators.core.db import open_database
from simulators.core.events import Event, EventBus


def _app(environ, start_response):
    start_response("204 No Content", [])
    return [b""]


def test_a_sqlite_file_opened_as_shared_carries_the_change_feed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    a, b = open_database(url, shared=True), open_database(url, shared=True)
    seen: list[str] = []
    b.changes.subscribe("ins", seen.append)
    b.changes.poll(force=True)
    a.changes.publish("ins", "s1")
    b.changes.poll(force=True)
    assert a.shared and seen == ["s1"]
    alone = open_database(f"sqlite:///{tmp_path}/alone.db")
    assert not alone.shared  # the default: one process, feed inert (tests/replicas/test_shared_units.py)
    for db in (a, b, alone):
        db.dispose()


def test_the_bus_tells_its_watchers_when_it_is_first_and_no_longer_listened() -> None:
    bus = EventBus()
    told: list[bool] = []
    bus.watch(told.append)
    one = bus.subscribe()
    two = bus.subscribe()
    bus.publish(Event("exchange", "s", {}))
    one.close()
    assert told == [True]
    two.close()
    assert told == [True, False] and not bus.has_subscribers


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (3, 3), ("2", 2), ("auto", usable_cpus()),
                                                 (" AUTO ", usable_cpus())])
def test_worker_counts(value: object, expected: int) -> None:
    assert parse_workers(value) == expected


@pytest.mark.parametrize("value", [0, -1, "0", "two", 1.5, True, None])
def test_bad_worker_counts_are_configuration_errors(value: object) -> None:
    with pytest.raises(ConfigError, match="workers"):
        parse_workers(value)


def test_workers_come_from_the_file_and_the_option_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCLE_BENCH_CONFIG", raising=False)
    assert load_config(None).workers == 1
    path = tmp_path / "bench.toml"
    path.write_text('[services.server]\nworkers = "auto"\nthreads = 8\n', encoding="utf-8")
    assert load_config(path).workers == usable_cpus()
    args = build_parser(extensions=False).parse_args(["serve", "--config", str(path), "--workers", "3"])
    config = config_from_args(args)
    assert config.workers == 3 and config.services["server"]["threads"] == 8
    with pytest.raises(ConfigError):
        config_from_args(build_parser(extensions=False).parse_args(["serve", "--workers", "many"]))
