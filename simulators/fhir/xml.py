"""FHIR JSON -> FHIR XML (FHIR R4 xml.html and json.html §"JSON representation of primitive
elements"), for servers whose CapabilityStatement lists `xml` (the ROR production server does).

Rules implemented: the resource is the root element in the `http://hl7.org/fhir` namespace;
primitives are `<name value="…"/>` (with `_name` siblings merged in as `id` / `extension` children);
arrays repeat the element; `id` on an element and `url` on an extension are XML attributes; a
resource inside another (`Bundle.entry.resource`, `contained`) is wrapped in an element named after
its type; `Narrative.div` is embedded as XHTML. Element order follows the FHIR rule that `id`,
`extension` and `modifierExtension` (and, on resources, `meta`, `implicitRules`, `language`, `text`,
`contained`) come first; the other elements keep the order of the JSON, which the simulators build
in specification order.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

FHIR_NS = "http://hl7.org/fhir"
XHTML_NS = "http://www.w3.org/1999/xhtml"
_RESOURCE_HEAD = ("id", "meta", "implicitRules", "language", "text", "contained", "extension",
                  "modifierExtension")
_ELEMENT_HEAD = ("extension", "modifierExtension")


def to_xml(resource: dict[str, Any]) -> bytes:
    root = etree.Element(f"{{{FHIR_NS}}}{resource['resourceType']}", nsmap={None: FHIR_NS})
    _fill(root, resource, is_resource=True)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _ordered(node: dict[str, Any], is_resource: bool) -> list[str]:
    head = _RESOURCE_HEAD if is_resource else _ELEMENT_HEAD
    names = [k for k in node if not k.startswith("_") and k != "resourceType"]
    names += [k[1:] for k in node if k.startswith("_") and k[1:] not in node]  # extension-only primitives
    first = [h for h in head if h in names]
    return first + [n for n in names if n not in first]


def _fill(element: etree._Element, node: dict[str, Any], *, is_resource: bool) -> None:
    if not is_resource:
        if "id" in node and isinstance(node["id"], str):
            element.set("id", node["id"])
        if "url" in node and isinstance(node["url"], str) and _is_extension(node):
            element.set("url", node["url"])
    for name in _ordered(node, is_resource):
        if not is_resource and name == "id":
            continue
        if not is_resource and name == "url" and _is_extension(node):
            continue
        value = node.get(name)
        shadow = node.get("_" + name)
        values = value if isinstance(value, list) else [value]
        shadows = shadow if isinstance(shadow, list) else [shadow] * len(values)
        for item, extra in zip(values, shadows + [None] * (len(values) - len(shadows)), strict=False):
            _append(element, name, item, extra)


def _is_extension(node: dict[str, Any]) -> bool:
    return any(k.startswith("value") or k == "extension" for k in node) or set(node) <= {"url", "id"}


def _append(parent: etree._Element, name: str, value: Any, shadow: Any) -> None:
    if name == "div" and isinstance(value, str):
        fragment = etree.fromstring(value.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        if fragment.tag != f"{{{XHTML_NS}}}div":
            fragment = etree.Element(f"{{{XHTML_NS}}}div", nsmap={None: XHTML_NS})
            fragment.text = value
        parent.append(fragment)
        return
    child = etree.SubElement(parent, f"{{{FHIR_NS}}}{name}")
    if isinstance(value, dict):
        if "resourceType" in value:
            inner = etree.SubElement(child, f"{{{FHIR_NS}}}{value['resourceType']}")
            _fill(inner, value, is_resource=True)
        else:
            _fill(child, value, is_resource=False)
        return
    if value is not None:
        child.set("value", _primitive(value))
    if isinstance(shadow, dict):
        if isinstance(shadow.get("id"), str):
            child.set("id", shadow["id"])
        for ext in shadow.get("extension") or ():
            _append(child, "extension", ext, None)


def _primitive(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)
