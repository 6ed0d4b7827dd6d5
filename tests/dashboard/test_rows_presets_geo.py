"""Pure functions of the dashboard: arrow colours, fault buttons, schematic map."""

from __future__ import annotations

from simulators.dashboard import geo
from simulators.dashboard.presets import preset_states
from simulators.dashboard.rows import compact_row, worst_status


def test_worst_status_follows_conformance_precedence_and_shows_warnings() -> None:
    assert worst_status([]) == "none"
    assert worst_status([{"outcome": "pass"}, {"outcome": "skip"}]) == "pass"  # judged: not "ignoré"
    assert worst_status([{"outcome": "skip"}, {"outcome": "omit"}]) == "skip"
    assert worst_status([{"outcome": "fail", "level": "RECOMMANDATION"}, {"outcome": "pass"}]) == "warning"
    assert worst_status([{"outcome": "fail", "level": "RECOMMANDATION"}, {"outcome": "fail", "level": "EXIGENCE"}]) == "fail"
    assert worst_status([{"outcome": "fail", "level": "EXIGENCE"}, {"outcome": "error"}]) == "error"


def test_compact_row_keeps_only_what_an_arrow_needs() -> None:
    data = {"id": "x1", "session": "s", "service": "ins", "operation": "rechercher", "started_at": 10.5,
            "duration_ms": 12.345, "status": 500, "fault": "insi_102",
            "caller": {"kind": "tls", "subject": "CN=INSI-AUTO"}, "request_headers": {"A": "b" * 1000},
            "summary": {"code": "01", "big": "z" * 5000},
            "verdicts": [{"outcome": "fail", "level": "EXIGENCE", "message": "attendu A, obtenu B"}]}
    row = compact_row(data)
    assert row["verdict"] == "fail" and row["failed"] == ["attendu A, obtenu B"]
    assert row["caller"] == "CN=INSI-AUTO" and row["label"] == "01" and row["ms"] == 12.3
    assert "request_headers" not in row and len(str(row)) < 600


def _by_id(states):
    return {s.id: s for s in states}


def test_presets_use_the_named_fault_when_the_catalogue_has_it() -> None:
    states = _by_id(preset_states("s1", {"ins", "dmp"}, {"ins": {"insi_102": "..."}}, []))
    assert states["insi-down"].rules == [{"kind": "fault", "session": "s1", "service": "ins", "fault": "insi_102",
                                          "id": "ui-insi-down-ins-s1"}]
    assert states["dmp-slow"].available and states["dmp-slow"].rules[0]["latency_ms"] == 3000.0
    assert not states["mss-refuses"].available and "non démarré" in states["mss-refuses"].reason


def test_presets_fall_back_to_generic_error_and_disable_without_catalogue_entry() -> None:
    states = _by_id(preset_states("s1", {"ins", "mss", "ror"}, {"mss": {"jeton_expire": "..."}, "ror": {}}, []))
    assert states["insi-down"].rules[0]["kind"] == "error"
    token = states["token-expired"]
    assert [r["service"] for r in token.rules] == ["mss"]  # ror runs but has no such fault
    none = _by_id(preset_states("s1", {"ror"}, {"ror": {}}, []))["token-expired"]
    assert not none.available and none.reason == "défaut non proposé par le catalogue du service"


def test_presets_report_active_rules_of_the_session() -> None:
    rules = [{"id": "ui-dmp-slow-dmp-s1", "session": "s1"}, {"id": "other", "session": "s1"}]
    states = _by_id(preset_states("s1", {"dmp"}, {}, rules))
    assert states["dmp-slow"].active and states["dmp-slow"].active_rule_ids == ["ui-dmp-slow-dmp-s1"]
    assert not states["insi-down"].active


def test_schematic_map_places_every_prefecture_inside_the_frame() -> None:
    data = geo.schematic_map()
    dots = {d["code"]: d for d in data["departments"]}
    assert len(dots) >= 100 and "2A" in dots and "974" in dots
    for dot in dots.values():
        assert 0 <= dot["x"] <= data["width"] and 0 <= dot["y"] <= data["height"], dot
    assert dots["59"]["y"] < dots["75"]["y"] < dots["13"]["y"]  # Lille, Paris, Marseille: north to south
    assert dots["29"]["x"] < dots["75"]["x"] < dots["67"]["x"]  # Quimper, Paris, Strasbourg: west to east
    assert dots["974"]["overseas"] and dots["974"]["y"] > dots["2A"]["y"]
    assert "schématique" in data["note"]


def test_projection_matches_the_documented_formula() -> None:
    projection = geo.metropolitan_projection()
    x, y = projection.point(48.0, 2.0)
    assert x == round(projection.x0 + (2.0 - projection.lon0) * projection.kx, 1)
    assert y == round(projection.y0 + (projection.lat0 - 48.0) * projection.ky, 1)


def test_resume_points_rewind_a_second_so_late_recordings_are_replayed() -> None:
    from simulators.core.exchange import new_exchange_id
    from simulators.dashboard.blueprint import resume_cursor
    from simulators.dashboard.stream import rewind

    now = 1_795_000_000.0
    newest = new_exchange_id(int(now * 1e9))
    half_second_before = new_exchange_id(int((now - 0.5) * 1e9))
    two_seconds_before = new_exchange_id(int((now - 2) * 1e9))
    assert two_seconds_before < rewind(newest) < half_second_before < newest
    assert rewind("not-an-id") == "not-an-id"
    assert resume_cursor([{"id": newest}], now=now) == newest
    empty = resume_cursor([], now=now)
    assert half_second_before < empty < newest and rewind(empty) < half_second_before


def test_real_catalogue_names_are_preferred() -> None:
    catalogues = {"mss": {"smtp_554": "refus"}, "ror": {"ror_token_rejected": "jeton refusé"}}
    states = _by_id(preset_states("s", {"mss", "ror"}, catalogues, []))
    assert states["mss-refuses"].rules[0]["fault"] == "smtp_554"
    assert [(r["service"], r["fault"]) for r in states["token-expired"].rules] == [("ror", "ror_token_rejected")]
    agreed = _by_id(preset_states("s", {"ror"}, {"ror": {"jeton_expire": "", "ror_token_rejected": ""}}, []))
    assert agreed["token-expired"].rules[0]["fault"] == "jeton_expire"


def test_running_services_map_transports_to_their_service() -> None:
    from simulators.dashboard.extensions import exchange_services, lanes

    running = exchange_services(["admin", "ins", "smtp", "imap", "psc", "annuaire"], {"mss": {}, "dmp": {}})
    assert running == ["ins", "mss", "psc", "annuaire", "dmp"]
    assert [lane["service"] for lane in lanes(running)] == ["dui", "ins", "dmp", "mss", "ror", "annuaire", "psc"]


def test_departement_shapes_place_the_journeys_towns_inside_their_departement() -> None:
    from simulators.dashboard import mapdata
    from simulators.identities.communes import commune

    data = mapdata.load()
    assert len(data["departments"]) == 96 and "CC-BY-4.0" in data["attribution"]
    assert {r["name"] for r in data["regions"]} >= {"Île-de-France", "Auvergne-Rhône-Alpes"}
    shapes = {d["code"]: mapdata.rings_of(d["path"]) for d in data["departments"]}
    for code in ("93048", "93066", "93064", "93010", "63113", "63178", "07186", "75114"):
        town = commune(code)
        point = mapdata.project(data["projection"], town.latitude, town.longitude)
        assert mapdata.inside(point, shapes[town.department]), (code, point)
        assert not mapdata.inside(point, shapes["92" if town.department != "92" else "93"])


def test_narration_reads_like_french_not_gherkin() -> None:
    from conformance.drivers.stepper import load_journey, natural

    assert natural('"le médecin traitant" envoie "l\'ordonnance" d\'"Élise" à "la MECS" et de "le DLU"') == (
        "le médecin traitant envoie l'ordonnance d'Élise à la MECS et du DLU")
    narration = load_journey("louis_domicile").scenarios[1].narration
    assert '"' not in narration and ".." not in narration
