"""The documents of the journeys: what each is called, its DMP type code, whether it may go to the DMP.

scenarios.md lists what a child-protection DUI feeds to the DMP and what it produces but never
feeds (educational and social documents travel by MSS only). The type codes are those of the DMP
value set JDV_J07/J66 shipped with the DMP simulator; documents that must never reach the DMP carry
no type code here, so a driver that feeds them anyway has to invent one and is caught on the wire.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from simulators.identities.model import Person

from conformance.drivers.base import Document

LOINC = "2.16.840.1.113883.6.1"
ASIP = "1.2.250.1.213.1.1.4.12"
PDF_FORMAT = "urn:ihe:iti:xds-sd:pdf:2008^1.3.6.1.4.1.19376.1.2.3"
JPEG = "image/jpeg"


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str  # French, as the trainer says it
    type_code: str = ""  # code^system of the DMP typeCode, "" when it never goes to the DMP
    class_code: str = ""
    dmp: bool = False  # may be fed to the DMP
    mime_type: str = "application/pdf"  # how the DUI attaches it (a photo from a phone is a JPEG)
    format_code: str = PDF_FORMAT  # DMP formatCode when it goes there
    channel: str = ""  # "" (DMP and MSSanté), "mss" (MSSanté only), "mes" (MSSanté/Mon espace santé only)

    @property
    def where(self) -> str:
        """French: where this kind may go ("DMP et MSSanté", "MSSanté seulement")."""
        if self.dmp:
            return "DMP et MSSanté"
        return "MSSanté et Mon espace santé seulement" if self.channel == "mes" else "MSSanté seulement"

    @property
    def code(self) -> str:
        return self.type_code.split("^", 1)[0]


DOCUMENT_KINDS: dict[str, DocumentKind] = {k.key: k for k in (
    # fed to the DMP (and/or sent by MSS)
    DocumentKind("ordonnance", "ordonnance", f"57833-6^{LOINC}", "42", True),
    DocumentKind("bilan-psychologique", "bilan psychologique", f"83901-9^{LOINC}", "10", True),
    DocumentKind("synthese-psychiatrique", "synthèse psychiatrique", f"68599-0^{LOINC}", "11", True),
    DocumentKind("bilan-orthophonique", "bilan orthophonique", f"47420-5^{LOINC}", "10", True),
    DocumentKind("bilan-psychomoteur", "bilan psychomoteur", f"47420-5^{LOINC}", "10", True),
    DocumentKind("projet-personnalise", "projet personnalisé d'accompagnement", f"80788-3^{LOINC}", "44", True),
    DocumentKind("bilan-sante-enfant", "bilan de santé et de prévention", f"68817-6^{LOINC}", "10", True),
    DocumentKind("autorisation-soins", "autorisation de soins et actes non usuels", f"AUTORIS-SOINS^{ASIP}", "52", True),
    DocumentKind("fiche-contacts", "fiche contacts d'urgence", f"FICHE-CONTACTS^{ASIP}", "95", True),
    # elderly and disability journeys (scenarios-pa-ph.md): codes of the shipped DMP value set; the
    # French DMP codes of directives anticipées and personne de confiance are UNCONFIRMED (LOINC kept)
    DocumentKind("dlu", "DLU", f"74207-2^{LOINC}", "11", True),
    DocumentKind("cr-hospitalisation", "compte rendu d'hospitalisation", f"34112-3^{LOINC}", "10", True),
    DocumentKind("cr-urgences", "compte rendu de passage aux urgences", f"59258-4^{LOINC}", "10", True),
    DocumentKind("cr-examen", "compte rendu d'examen", f"18748-4^{LOINC}", "31", True),
    DocumentKind("cr-genetique", "compte rendu d'examen génétique", f"51969-4^{LOINC}", "10", True),
    DocumentKind("cr-consultation", "compte rendu de consultation", f"11488-4^{LOINC}", "10", True),
    DocumentKind("ordonnance-soins", "ordonnance de soins infirmiers", f"57832-8^{LOINC}", "42", True),
    DocumentKind("ordonnance-pansements", "ordonnance de pansements", f"57832-8^{LOINC}", "42", True),
    DocumentKind("ordonnance-kine", "prescription de kinésithérapie", f"57832-8^{LOINC}", "42", True),
    DocumentKind("protocole-soins", "protocole de soins", f"18776-5^{LOINC}", "44", True),
    DocumentKind("antecedents", "synthèse des antécédents", f"60591-5^{LOINC}", "11", True),
    DocumentKind("directives-anticipees", "directives anticipées", f"75320-2^{LOINC}", "52", True),
    DocumentKind("personne-confiance", "désignation de la personne de confiance", f"75321-0^{LOINC}", "52", True),
    DocumentKind("habitudes-vie", "habitudes de vie", f"28653-4^{LOINC}", "10", True),
    # a certificate-like notice the employer's staff may read: CERT_DECL (administrative) — UNCONFIRMED
    DocumentKind("preconisations-travail", "préconisations de la médecine du travail", f"CERT_DECL^{ASIP}", "52",
                 True),
    DocumentKind("rendez-vous", "liste des rendez-vous", f"18776-5^{LOINC}", "44", True),
    DocumentKind("constantes", "relevé des constantes", f"11506-3^{LOINC}", "10", True),
    DocumentKind("demande-avis", "demande de télé-expertise", channel="mss"),
    DocumentKind("photo-plaie", "photo de plaie", mime_type=JPEG, channel="mss"),
    DocumentKind("bon-transport", "bon de transport", channel="mss"),
    DocumentKind("lettre-admission", "lettre d'admission", channel="mss"),
    DocumentKind("dossier-admission", "dossier d'admission", channel="mss"),
    DocumentKind("arret-travail", "arrêt de travail", channel="mss"),
    DocumentKind("demande-visite-reprise", "demande de visite de reprise", channel="mss"),
    DocumentKind("transmissions", "transmissions", channel="mss"),
    DocumentKind("information", "message d'information", channel="mss"),
    DocumentKind("conseils-sante", "conseils de santé et rendez-vous", channel="mss"),
    DocumentKind("demande-prise-en-charge", "demande de prise en charge", channel="mss"),
    DocumentKind("demande-examen", "demande d'examen génétique", channel="mss"),
    DocumentKind("notification-mdph", "notification MDPH", channel="mes"),
    # produced by the DUI, never fed to the DMP (MSS only)
    DocumentKind("recueil-ip", "formulaire de recueil d'information préoccupante"),
    DocumentKind("rapport-evaluation", "rapport d'évaluation sociale"),
    DocumentKind("rapport-ip", "rapport d'information préoccupante"),
    DocumentKind("cr-educatif", "compte rendu éducatif"),
    DocumentKind("rapport-echeance", "rapport d'échéance"),
    DocumentKind("jugement", "jugement en assistance éducative"),
    DocumentKind("rapport-juge", "rapport au juge des enfants"),
    DocumentKind("rapport-situation", "rapport de situation"),
    DocumentKind("photo", "photographie", mime_type=JPEG, channel="mss"),
    DocumentKind("convocation", "convocation"),
    DocumentKind("demande-rdv", "demande de rendez-vous"),
    DocumentKind("reponse-admission", "réponse à la demande d'admission"),
    DocumentKind("invitation-visio", "invitation à une visioconférence", mime_type="text/calendar", channel="mss"),
)}


def kind_of(document: Document) -> DocumentKind:
    try:
        return DOCUMENT_KINDS[document.kind]
    except KeyError:
        raise KeyError(f"type de document inconnu : {document.kind!r} (connus : {', '.join(DOCUMENT_KINDS)})") from None


def may_feed_dmp(document: Document) -> bool:
    return kind_of(document).dmp


def make_document(kind: str, person_label: str, *, mime_type: str = "",
                  confidentiality: tuple[str, ...] = ()) -> Document:
    """A small synthetic document; the content names the kind and the person, nothing else. The
    format is the kind's own (a photo is a JPEG) unless ``mime_type`` says otherwise."""
    spec = kind_of(Document(kind, "", b""))
    label = spec.label
    mime_type = mime_type or spec.mime_type
    title = f"{label[0].upper()}{label[1:]} - {person_label}"
    if mime_type == "application/pdf":
        content = _tiny_pdf(title)
    elif mime_type == "text/calendar":
        content = _ics(title)
    elif mime_type == "image/jpeg":
        content = b"\xff\xd8\xff\xe0" + title.encode("utf-8") + b"\xff\xd9"
    else:
        content = title.encode("utf-8")
    return Document(kind, title, content, mime_type, confidentiality)


def patient_filename(document: Document, person: Person, day: date | None = None) -> str:
    """ECO.2.1.6 (mss@17): ``<date>_<type>_<NOM>_<prénom>_<dossier>.<ext>``, no underscore inside a part."""
    def part(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9-]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
                      .decode("ascii")).strip("-") or "X"
    extension = document.as_attachment().filename.rpartition(".")[2]
    stamp = (day or date.today()).strftime("%Y%m%d")
    return (f"{stamp}_{part(document.kind)}_{part(person.birth_name)}_{part(person.first_given_name)}_"
            f"{part(person.id)}.{extension}")


def _tiny_pdf(title: str) -> bytes:
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 12 Tf 40 780 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _ics(title: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//socle-bench//parcours//FR", "METHOD:REQUEST",
             "BEGIN:VEVENT", "UID:socle-bench-visio@parcours", "DTSTAMP:20261122T080000Z",
             "DTSTART:20261201T140000Z", "DTEND:20261201T143000Z", f"SUMMARY:{title}",
             "LOCATION:https://visio.mssante.test/salle/suivi", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
