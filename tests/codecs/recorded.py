"""Helpers shared by the recorded-fixture tests (tests/fixtures/<service>/, SOURCES.md in each)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def read(service: str, name: str) -> bytes:
    return (FIXTURES / service / name).read_bytes()


def http_message(service: str, name: str) -> tuple[str, bytes]:
    """A `.http` fixture: its header block (only Content-Type is kept) and its body, bytes as recorded."""
    raw = read(service, name)
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode("ascii").split("\r\n"))
    return headers["Content-Type"], body


def xml_paths(root: etree._Element) -> list[str]:
    """Document-order element paths (namespace URI + local name, no values, no prefixes)."""
    out: list[str] = []

    def walk(el: etree._Element, prefix: str) -> None:
        path = f"{prefix}/{etree.QName(el).text}"
        out.append(path)
        for child in el:
            if isinstance(child.tag, str):
                walk(child, path)

    walk(root, "")
    return out


def json_paths(node: Any, prefix: str = "") -> set[str]:
    """Element paths of a JSON document: `.entry[].resource.identifier[].system`."""
    paths: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            paths.add(f"{prefix}.{key}")
            paths |= json_paths(value, f"{prefix}.{key}")
    elif isinstance(node, list):
        for item in node:
            paths |= json_paths(item, f"{prefix}[]")
    return paths
