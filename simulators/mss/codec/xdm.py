"""IHE_XDM.zip codec (ITI TF-1 §16, zip over e-mail; mss.md §3.5): build, parse, check.

Sans-IO. The archive comes from a DUI, so reading is defensive: member names are checked before
anything is extracted (no absolute paths, no `..`, no backslashes or drive letters), the number of
members and the total *actual* uncompressed size are bounded while decompressing (the sizes in the
zip headers are attacker-controlled), and a member whose compression ratio is absurd is refused.
Everything in memory: nothing is ever written to disk.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from simulators.codecs.errors import XmlRejected
from simulators.codecs.xmlsafe import parse_xml

from ..cda import CdaError, parse_cda
from ..xdm_metadata import DocumentEntry, SubmissionSet, build_metadata, explain_patient_id, parse_metadata

MAX_MEMBERS = 500
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member (text compresses ~10x)
_CHUNK = 64 * 1024


class XdmError(ValueError):
    """The archive is unreadable or hostile (French message, for the conformance report)."""


@dataclass
class XdmDocument:
    filename: str  # ISO-9660-like name inside the subset, e.g. DOC0001.XML
    content: bytes
    mime_type: str = "text/xml"
    entry: DocumentEntry | None = None


@dataclass
class XdmSubset:
    name: str  # SUBSET01
    metadata_xml: bytes
    submission_set: SubmissionSet
    entries: list[DocumentEntry]
    files: dict[str, bytes] = field(default_factory=dict)  # names relative to the subset folder


@dataclass
class XdmPackage:
    readme: bytes
    index: bytes
    subsets: list[XdmSubset]
    names: list[str]


@dataclass(frozen=True)
class XdmProblem:
    code: str  # stable id used by the conformance checks
    message: str  # French: "attendu X, obtenu Y"


# --- building --------------------------------------------------------------------------------
def build_xdm(documents: list[XdmDocument], submission: SubmissionSet, *, readme: str = "",
              subset: str = "SUBSET01") -> bytes:
    """Zip with README.TXT, INDEX.HTM, IHE_XDM/<subset>/METADATA.XML and the documents."""
    for doc in documents:
        if doc.entry is None:
            raise ValueError(f"document {doc.filename} sans DocumentEntry")
        doc.entry.uri = doc.filename
        doc.entry.size = len(doc.content)
        doc.entry.hash = hashlib.sha1(doc.content).hexdigest()  # noqa: S324 - XDS mandates SHA-1
    metadata = build_metadata(submission, [d.entry for d in documents if d.entry])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.TXT", (readme or _default_readme(submission)).encode("utf-8"))
        archive.writestr("INDEX.HTM", _index_html(subset, documents).encode("utf-8"))
        archive.writestr(f"IHE_XDM/{subset}/METADATA.XML", metadata)
        for doc in documents:
            archive.writestr(f"IHE_XDM/{subset}/{doc.filename}", doc.content)
    return buffer.getvalue()


def _default_readme(submission: SubmissionSet) -> str:
    return ("Archive IHE XDM (MSSanté) produite par socle-bench (données synthétiques).\r\n"
            f"Expéditeur : {submission.author_person or submission.author_institution}\r\n"
            "Ouvrir INDEX.HTM pour la liste des documents.\r\n")


def _index_html(subset: str, documents: list[XdmDocument]) -> str:
    links = "".join(f'<li><a href="IHE_XDM/{subset}/{d.filename}">{d.filename}</a></li>' for d in documents)
    return (f'<html><head><meta charset="utf-8"><title>IHE XDM</title></head><body>'
            f'<p><a href="README.TXT">README.TXT</a></p><ul>{links}</ul></body></html>')


# --- reading ---------------------------------------------------------------------------------
def safe_member_name(name: str) -> str | None:
    """Normalised member name, or None when it could escape the archive root."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = name.split("/")
    if any(part == ".." for part in parts):
        return None
    return posixpath.normpath(name)


def read_members(data: bytes, *, max_members: int = MAX_MEMBERS,
                 max_total: int = MAX_TOTAL_BYTES) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise XdmError(f"archive ZIP illisible : {exc}") from exc
    if len(infos) > max_members:
        raise XdmError(f"archive refusée : {len(infos)} membres pour un maximum de {max_members}")
    members: dict[str, bytes] = {}
    total = 0
    for info in infos:
        name = safe_member_name(info.filename)
        if name is None:
            raise XdmError(f"archive refusée : chemin dangereux {info.filename!r} (traversée de répertoire)")
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise XdmError(f"archive refusée : membre chiffré {name}")
        content = _read_bounded(archive, info, max_total - total)
        total += len(content)
        members[name] = content
    return members


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                out += chunk
                if len(out) > budget:
                    raise XdmError("archive refusée : taille décompressée excessive (bombe ZIP)")
                if len(out) > 1_000_000 and len(out) > MAX_RATIO * max(info.compress_size, 1):
                    raise XdmError(f"archive refusée : taux de compression anormal pour {info.filename}")
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, XdmError):
            raise
        raise XdmError(f"membre {info.filename!r} illisible : {exc}") from exc
    return bytes(out)


def parse_xdm(data: bytes, **limits: int) -> XdmPackage:
    members = read_members(data, **limits)
    upper = {name.upper(): name for name in members}
    subsets: list[XdmSubset] = []
    for key in sorted(upper):
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == "IHE_XDM" and parts[2] == "METADATA.XML":
            folder = "/".join(upper[key].split("/")[:2])
            xml = members[upper[key]]
            try:
                root = parse_xml(xml)
            except XmlRejected as exc:
                raise XdmError(f"METADATA.XML illisible dans {folder} : {exc}") from exc
            submission, entries = parse_metadata(root)
            files = {name[len(folder) + 1:]: content for name, content in members.items()
                     if name.startswith(folder + "/")}
            subsets.append(XdmSubset(parts[1], xml, submission, entries, files))
    return XdmPackage(readme=members.get(upper.get("README.TXT", ""), b""),
                      index=members.get(upper.get("INDEX.HTM", ""), b""), subsets=subsets,
                      names=sorted(members))


def check_xdm(package: XdmPackage, parsed: dict[str, object] | None = None) -> list[XdmProblem]:
    """Structure, URI, hash, size, patientId and CDA coherence (mss.md §3.5 and §7).

    `parsed`, when given, receives the CDA headers read on the way (by URI) so callers need not
    parse the documents twice."""
    problems: list[XdmProblem] = []
    if not package.readme:
        problems.append(XdmProblem("readme", "attendu README.TXT à la racine de l'archive, obtenu absent"))
    if not package.index:
        problems.append(XdmProblem("index", "attendu INDEX.HTM à la racine de l'archive, obtenu absent"))
    if not package.subsets:
        problems.append(XdmProblem("metadata", "attendu IHE_XDM/SUBSET01/METADATA.XML, obtenu absent"))
    patients: set[str] = set()
    for subset in package.subsets:
        sub = subset.submission_set
        problems += [XdmProblem("patient-id", m) for m in explain_patient_id(sub.patient_id, "SubmissionSet")]
        for entry in subset.entries:
            problems += [XdmProblem("patient-id", m)
                         for m in explain_patient_id(entry.patient_id, f"DocumentEntry {entry.uri}")]
            if entry.patient_id and entry.patient_id != sub.patient_id:
                problems.append(XdmProblem("patient-id", f"attendu le patientId du SubmissionSet {sub.patient_id}, "
                                                         f"obtenu {entry.patient_id} ({entry.uri})"))
            patients.add(entry.patient_id.split("^")[0])
            content = _find(subset.files, entry.uri)
            if content is None:
                problems.append(XdmProblem("uri", f"attendu le fichier {entry.uri!r} dans {subset.name}, obtenu absent"))
                continue
            digest = hashlib.sha1(content).hexdigest()  # noqa: S324
            if entry.hash.lower() != digest:
                problems.append(XdmProblem("hash", f"attendu hash {digest} pour {entry.uri}, obtenu {entry.hash!r}"))
            if entry.size != len(content):
                problems.append(XdmProblem("size", f"attendu size {len(content)} pour {entry.uri}, obtenu {entry.size}"))
            if entry.mime_type == "text/xml":
                try:
                    cda = parse_cda(content)
                except CdaError as exc:
                    problems.append(XdmProblem("cda", f"{entry.uri} : {exc}"))
                    continue
                if parsed is not None:
                    parsed[entry.uri] = cda
                expected = f"{cda.ins}^^^&{cda.ins_oid}&ISO^NH"
                if cda.ins and entry.patient_id != expected:
                    problems.append(XdmProblem("patient-cda", f"attendu patientId {expected} (recordTarget du CDA), "
                                                              f"obtenu {entry.patient_id}"))
                if entry.unique_id and entry.unique_id != cda.unique_id:
                    problems.append(XdmProblem("unique-id", f"attendu uniqueId {cda.unique_id} (id du CDA), "
                                                            f"obtenu {entry.unique_id}"))
    if len(patients) > 1:
        problems.append(XdmProblem("one-patient", f"attendu un seul patient par message, obtenu {sorted(patients)}"))
    return problems


def _find(files: dict[str, bytes], uri: str) -> bytes | None:
    if uri in files:
        return files[uri]
    lowered = {k.lower(): v for k, v in files.items()}
    return lowered.get(uri.lower())


def cda_documents(package: XdmPackage) -> list[tuple[DocumentEntry, bytes]]:
    found = []
    for subset in package.subsets:
        for entry in subset.entries:
            content = _find(subset.files, entry.uri)
            if content is not None and entry.mime_type == "text/xml":
                found.append((entry, content))
    return found
