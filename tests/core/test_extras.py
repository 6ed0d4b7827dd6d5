"""A command whose optional extra is missing says which extra, in one line, and exits 2."""

from __future__ import annotations

import sys

import pytest

from simulators.cli import main
from simulators.extras import EXTRAS, missing_modules


@pytest.mark.parametrize("argv, extra", [(["load", "--profile", "ins", "--target", "http://127.0.0.1:9"], "load"),
                                         (["bench", "journal", "--quick"], "load")])
def test_missing_extra_is_named_in_one_line(monkeypatch, capsys, argv, extra):
    for module in EXTRAS[extra]:
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert f"pip install 'socle-bench[{extra}]'" in lines[0] and "locust" in lines[0]
    assert "Traceback" not in captured.out + captured.err


def test_installed_extras_are_seen_as_installed():
    assert missing_modules("load") == []  # the test venv installs [test,load]
    assert missing_modules("load", ("no_such_module_socle",)) == ["no_such_module_socle"]
