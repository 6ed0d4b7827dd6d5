"""``socle-bench check`` exit codes (the CI contract) and options, through the real CLI entry point."""

import json

import pytest

from conformance.sources import write_journal
from simulators.cli import main
from tests.conformance.factories import T0, make_exchange

DEMO = "tests.support.echo_checks:registry"


def _journal(tmp_path, exchanges):
    path = tmp_path / "journal.jsonl"
    write_journal(path, exchanges)
    return str(path)


def _check(*args):
    return main(["check", "--session", "s1", *args])


def test_exit_0_when_every_exigence_holds_even_with_warnings(tmp_path, capsys):
    journal = _journal(tmp_path, [make_exchange(), make_exchange(request_headers={}, body=b"X", started_at=T0 + 1)])
    assert _check("--journal", journal) == 0
    out = capsys.readouterr().out
    assert "avertissement" in out and "Résultat : CONFORME" in out


def test_exit_1_when_an_exigence_fails(tmp_path, capsys):
    journal = _journal(tmp_path, [make_exchange(status=415)])
    assert _check("--journal", journal) == 1
    assert "bench@2" in capsys.readouterr().out.split("Résultat : NON CONFORME")[1]


def test_exit_1_when_an_exigence_check_errors(tmp_path):
    journal = _journal(tmp_path, [make_exchange(body=b"OK")])  # upper-case and short: only echo@5 errors
    assert _check("--journal", journal, "--checks", DEMO, "--json", str(tmp_path / "r.json")) == 1
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in data["requirements"] if r["blocking"]] == ["echo@5"]
    assert {r["id"]: r["status"] for r in data["requirements"]}["echo@5"] == "error"


@pytest.mark.parametrize("args, message", [
    (["--journal", "absent.jsonl"], "journal illisible"),
    (["--journal", "{journal}", "--since", "hier"], "--since"),
    (["--journal", "{journal}", "--checks", "tests.support.echo_checks"], "module:attribut"),
    (["--journal", "{journal}", "--service", "ror"], "aucun échange pour la session 's1' (services ror)"),
])
def test_exit_2_on_input_errors(tmp_path, capsys, args, message):
    journal = _journal(tmp_path, [make_exchange()])
    assert _check(*[a.replace("{journal}", journal) for a in args]) == 2
    assert message in capsys.readouterr().err


def test_exit_2_on_usage_errors(tmp_path):
    with pytest.raises(SystemExit) as missing_session:
        main(["check", "--journal", "j.jsonl"])
    assert missing_session.value.code == 2
    with pytest.raises(SystemExit) as two_sources:
        _check("--journal", "j.jsonl", "--bench-url", "http://x")
    assert two_sources.value.code == 2


def test_exit_2_when_a_report_cannot_be_written(tmp_path, capsys):
    journal = _journal(tmp_path, [make_exchange()])
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert _check("--journal", journal, "--html", str(tmp_path / "a-file" / "r.html")) == 2
    assert "écriture impossible" in capsys.readouterr().err


def test_reports_create_their_folder_and_leave_no_partial_file(tmp_path):
    journal = _journal(tmp_path, [make_exchange()])
    target = tmp_path / "out" / "junit" / "r.xml"
    assert _check("--journal", journal, "--junit", str(target), "--quiet") == 0
    assert target.read_text(encoding="utf-8").startswith("<testsuites")
    assert [p.name for p in target.parent.iterdir()] == ["r.xml"]


def test_service_and_since_filters_choose_what_is_judged(tmp_path):
    exchanges = [make_exchange(service="ins", operation="rechercherInsAvecTraitsIdentite", status=415),
                 make_exchange(service="echo", started_at=T0 + 100)]
    journal = _journal(tmp_path, [*exchanges, make_exchange(session="autre", status=415)])
    report = tmp_path / "r.json"
    assert _check("--journal", journal, "--service", "echo", "--json", str(report), "--quiet") == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["services"] == ["echo"] and [e["service"] for e in data["exchanges"]] == ["echo"]
    assert _check("--journal", journal, "--service", "ins,echo", "--quiet") == 1
    assert _check("--journal", journal, "--since", str(T0 + 50), "--quiet") == 0
    assert _check("--journal", journal, "--service", "ins", "--json", str(report), "--quiet") == 1
    ids = [r["id"] for r in json.loads(report.read_text(encoding="utf-8"))["requirements"]]
    assert "insi@1" in ids and "bench@1" in ids and "dmp@1" not in ids  # scope = the services asked for


def test_all_outputs_are_written(tmp_path):
    journal = _journal(tmp_path, [make_exchange()])
    outputs = {name: tmp_path / name for name in ("j.xml", "r.html", "r.json", "b.zip")}
    code = _check("--journal", journal, "--junit", str(outputs["j.xml"]), "--html", str(outputs["r.html"]),
                  "--json", str(outputs["r.json"]), "--bundle", str(outputs["b.zip"]), "--quiet")
    assert code == 0 and all(p.stat().st_size > 0 for p in outputs.values())
