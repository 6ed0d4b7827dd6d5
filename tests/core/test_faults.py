import pytest

from simulators.core.faults import FaultEngine, FaultRule, FaultRuleError


def _sequence(engine: FaultEngine, session: str, n: int = 200) -> list[str]:
    return [engine.decide(session, "ins", "rechercher").label for _ in range(n)]


def test_same_seed_replays_the_same_faults():
    rules = [FaultRule(session="*", kind="error", probability=0.3), FaultRule(session="*", kind="latency", latency_ms=5, probability=0.5)]
    a, b = FaultEngine(seed=42), FaultEngine(seed=42)
    for r in rules:
        a.add(FaultRule(**{**r.__dict__, "id": r.id}))
        b.add(FaultRule(**{**r.__dict__, "id": r.id + "b"}))
    assert _sequence(a, "s1") == _sequence(b, "s1")
    labels = set(_sequence(a, "s1"))
    assert {"error", "latency", ""} <= labels


def test_sessions_draw_independently_and_reseed_replays():
    engine = FaultEngine(seed=1)
    engine.add(FaultRule(session="*", kind="drop", probability=0.5))
    first = _sequence(engine, "a", 50)
    assert first != _sequence(engine, "b", 50)
    engine.reseed("a")
    assert _sequence(engine, "a", 50) == first


def test_probability_is_respected_roughly():
    engine = FaultEngine(seed=7)
    engine.add(FaultRule(session="*", kind="error", probability=0.2))
    hits = sum(1 for label in _sequence(engine, "s", 2000) if label == "error")
    assert 300 < hits < 500


def test_rule_scoping_by_session_service_and_operation_glob():
    engine = FaultEngine()
    engine.add(FaultRule(kind="drop", session="ci", service="dmp", operation="iti-4*"))
    assert engine.decide("ci", "dmp", "iti-41").action == "drop"
    assert engine.decide("ci", "dmp", "iti-18").action is None
    assert engine.decide("other", "dmp", "iti-41").action is None
    assert engine.decide("ci", "ins", "iti-41").action is None


def test_latency_rules_add_up_and_first_terminal_rule_wins():
    engine = FaultEngine()
    engine.add(FaultRule(session="*", kind="latency", latency_ms=100))
    engine.add(FaultRule(session="*", kind="latency", latency_ms=50))
    engine.add(FaultRule(session="*", kind="timeout", timeout_s=2))
    engine.add(FaultRule(session="*", kind="drop"))
    d = engine.decide("s", "x", "y")
    assert d.latency_s == pytest.approx(0.15)
    assert d.action == "timeout" and d.timeout_s == 2


@pytest.mark.parametrize("distribution", ["uniform", "normal", "lognormal", "exponential"])
def test_latency_distributions_are_non_negative_and_centred(distribution):
    engine = FaultEngine(seed=3)
    engine.add(FaultRule(session="*", kind="latency", latency_ms=100, spread_ms=30, distribution=distribution))
    values = [engine.decide("s", "x", "y").latency_s * 1000 for _ in range(3000)]
    assert min(values) >= 0
    assert 85 < sum(values) / len(values) < 115


def test_duration_and_max_hits_expire_rules(monkeypatch):
    engine = FaultEngine()
    engine.add(FaultRule(session="*", kind="error", max_hits=2))
    assert [engine.decide("s", "a", "b").action for _ in range(3)] == ["error", "error", None]
    rule = engine.add(FaultRule(session="*", kind="drop", duration_s=10))
    assert engine.decide("s", "a", "b").action == "drop"
    rule.created_at -= 11
    assert engine.decide("s", "a", "b").action is None


def test_validation_names_the_problem():
    engine = FaultEngine()
    engine.register_catalogue("ins", {"insi_102": "service indisponible"})
    with pytest.raises(FaultRuleError, match="kind"):
        engine.add(FaultRule(session="*", kind="explode"))
    with pytest.raises(FaultRuleError, match="probability"):
        engine.add(FaultRule(session="*", kind="error", probability=2))
    with pytest.raises(FaultRuleError, match=r"unknown fault 'nope'.*insi_102"):
        engine.add(FaultRule(session="*", kind="fault", service="ins", fault="nope"))
    with pytest.raises(FaultRuleError, match="unknown fields"):
        FaultRule.from_json({"kind": "drop", "colour": "red"})
    assert engine.add(FaultRule(session="*", kind="fault", service="ins", fault="insi_102")).fault == "insi_102"


def test_a_rule_without_session_hits_the_default_session_only():
    engine = FaultEngine(seed=1)
    rule = FaultRule.from_json({"kind": "error"})
    engine.add(rule)
    assert rule.session == "default"
    assert engine.decide("default", "ins", "op").action == "error"
    assert engine.decide("team-b", "ins", "op").action is None
    engine.add(FaultRule.from_json({"kind": "drop", "session": "*"}))
    assert engine.decide("team-b", "ins", "op").action == "drop"
