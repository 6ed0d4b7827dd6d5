"""Who is who in a feature: the French phrases a trainer reads aloud, resolved to records of the world.

"l'ergothérapeute", "la CRIP", "Fanny", "la MECS Les Tilleuls", "le juge des enfants": articles are
dropped, accents and case folded, then the phrase is matched against a professional's role, an
establishment's kind or name, a person's first name, or any world id — preferring the records of the
current journey, so "l'infirmière scolaire" is Elliot's in his feature and Élise's in hers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from simulators.core.errors import BenchError
from simulators.identities.model import Establishment, Person, Professional
from simulators.identities.world import World

from conformance.drivers.documents import DOCUMENT_KINDS, DocumentKind

ARTICLES = re.compile(r"^(?:l'|l’|le |la |les |un |une |des |du |de la |de l'|de l’|d'|d’|au |aux |à la |à l'|à )",
                      re.IGNORECASE)
STATUS_LABELS = {"provisoire": "PROV", "récupérée": "RECUP", "validée": "VALI", "qualifiée": "QUAL"}
STATUS_NAMES = {v: k for k, v in STATUS_LABELS.items()}
RELATIVE = re.compile(r"^(?P<kind>fille|fils|mere|pere|cousin|cousine|epouse|epoux|conjoint|conjointe|frere|soeur|"
                      r"parents|representants legaux|representant legal|tuteur|tutrice) (?:de |d')(?P<whose>.+)$")
RELATION_KINDS = {"epouse": ("conjoint",), "epoux": ("conjoint",), "conjointe": ("conjoint",),
                  "cousine": ("cousin",), "tutrice": ("tuteur",)}


class CastError(BenchError, LookupError):
    """A phrase of a feature names nobody (or several) in the world."""


def fold(text: str) -> str:
    text = text.replace("’", "'").strip()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"\s+", " ", text)


def strip_article(phrase: str) -> str:
    previous = None
    phrase = phrase.strip()
    while previous != phrase:
        previous, phrase = phrase, ARTICLES.sub("", phrase, count=1).strip()
    return phrase


def split_names(phrase: str) -> list[str]:
    """"le psychologue, le médecin de PMI et la responsable du SLS" -> three phrases."""
    parts = re.split(r",\s*|\s+et\s+", phrase.strip())
    return [p for p in (part.strip() for part in parts) if p]


class Cast:
    def __init__(self, world: World, journey: str = "") -> None:
        self.world = world
        self.journey = journey

    def _in_journey(self, record: Any) -> bool:
        return not self.journey or self.journey in getattr(record, "journeys", ()) or record.id == self.journey

    def _pick(self, phrase: str, candidates: Iterable[Any], kind: str) -> Any:
        found = list(dict.fromkeys(candidates))
        preferred = [c for c in found if self._in_journey(c)]
        chosen = preferred or found
        if len(chosen) == 1:
            return chosen[0]
        if not chosen:
            raise CastError(f"{kind} introuvable dans le monde du banc : « {phrase} »")
        raise CastError(f"« {phrase} » désigne plusieurs {kind}s : {', '.join(c.id for c in chosen)}")

    def professional(self, phrase: str) -> Professional:
        key = fold(strip_article(phrase))
        world = self.world
        exact = [p for p in world.professionals if key in (p.id, fold(p.role), fold(f"{p.first_name} {p.last_name}"))]
        if exact:
            return self._pick(phrase, exact, "professionnel")
        return self._pick(phrase, [p for p in world.professionals if fold(p.role).startswith(key)], "professionnel")

    def establishment(self, phrase: str) -> Establishment:
        key = fold(strip_article(phrase))
        world = self.world
        exact = [e for e in world.establishments if key in (e.id, fold(e.kind), fold(e.name))]
        if exact:
            return self._pick(phrase, exact, "structure")
        return self._pick(phrase, [e for e in world.establishments if key in fold(e.name)], "structure")

    def person(self, phrase: str) -> Person:
        """"Élise", "Monsieur Claude", or a relative said as a trainer says it: "la fille de Christiane",
        "le cousin de Daniel", "la mère d'Adrien" (the relation kinds of the world's family links)."""
        relatives = self.relatives(phrase)
        if relatives:
            if len(relatives) > 1:
                raise CastError(f"« {phrase} » désigne plusieurs personnes : {', '.join(r.id for r in relatives)}")
            return relatives[0]
        key = fold(strip_article(phrase))
        key = re.sub(r"^(?:monsieur|madame|m\.|mme) ", "", key)
        candidates = [p for p in self.world.persons
                      if key in (p.id, fold(p.display_first_name.split(" ")[0]), fold(p.display_first_name))]
        return self._pick(phrase, candidates, "personne")

    def owner(self, phrase: str) -> Person:
        """"le cousin de Daniel" -> Daniel; "Daniel" -> Daniel."""
        match = RELATIVE.match(fold(strip_article(phrase)))
        return self.person(match.group("whose")) if match else self.person(phrase)

    def relatives(self, phrase: str) -> list[Person]:
        """"la fille de Christiane" -> [Valérie]; "les parents de Lucas" -> his legal representatives; [] when
        the phrase names no relation."""
        match = RELATIVE.match(fold(strip_article(phrase)))
        if not match:
            return []
        kind, whose = match.group("kind"), match.group("whose")
        try:
            person = self.person(whose)
        except CastError:
            return []
        if kind in ("parents", "representants legaux", "representant legal"):
            ids = [i for i in person.legal_representatives if any(p.id == i for p in self.world.persons)]
        else:
            wanted = RELATION_KINDS.get(kind, (kind,))
            ids = [r.person_id for r in person.relations if r.kind in wanted]
        if not ids:
            raise CastError(f"« {phrase} » : {person.display_first_name} n'a pas de {kind} dans le monde du banc")
        return [self.world.person(i) for i in ids]

    def recipient(self, phrase: str) -> Professional | Establishment | Person:
        """A professional, else a structure, else a person (their Mon espace santé address)."""
        errors = []
        for finder in (self.professional, self.establishment, self.person):
            try:
                return finder(phrase)
            except CastError as exc:
                errors.append(str(exc))
        raise CastError(f"destinataire inconnu : « {phrase} » ({errors[0]})")

    def recipients(self, phrase: str) -> tuple[Professional | Establishment | Person, ...]:
        return tuple(self.recipient(name) for name in split_names(phrase))


def split_documents(phrase: str) -> list[str]:
    """"le CR d'hospitalisation, le compte rendu d'examen et l'ordonnance" -> three phrases; a " et " inside a
    label ("bilan de santé et de prévention") is kept: a list item starts with an article."""
    parts = re.split(r",\s*|\s+et\s+(?=(?:l'|l’|le |la |les |un |une |des |son |sa |ses ))", phrase.strip())
    return [p for p in (part.strip() for part in parts) if p]


def document_kind(phrase: str) -> DocumentKind:
    key = re.sub(r"\bcr\b", "compte rendu", fold(strip_article(phrase)))  # "le CR d'hospitalisation"
    for kind in DOCUMENT_KINDS.values():
        if key in (kind.key, fold(kind.label)):
            return kind
    matches = [k for k in DOCUMENT_KINDS.values() if key in fold(k.label) or fold(k.label) in key]
    if len(matches) == 1:
        return matches[0]
    raise CastError(f"type de document inconnu : « {phrase} » (connus : {', '.join(k.label for k in DOCUMENT_KINDS.values())})")


#: What a trainer calls a kind of establishment or a special unit, as ROR codes: (TRE_R66 category, TRE_R244
#: offer type). A category alone searches the establishments (MECS have no offer type); an offer alone the
#: services of any establishment offering it (a PASA, a UVP).
ROR_VOCABULARY: dict[str, tuple[str, str]] = {
    "ehpad": ("500", ""), "mecs": ("177", ""), "camsp": ("190", ""), "dime": ("183", ""), "ime": ("183", ""),
    "itep": ("186", ""), "sessad": ("182", ""), "cmpp": ("189", ""), "esat": ("246", ""), "foyer de vie": ("382", ""),
    "foyer d'hebergement": ("252", ""), "fam": ("437", ""), "mas": ("255", ""), "savs": ("446", ""),
    "ssiad": ("354", ""), "residence autonomie": ("202", ""), "pharmacie": ("620", ""), "pmi": ("223", ""),
    "unite de vie protegee": ("", "24"), "uvp": ("", "24"), "pasa": ("", "25"),
    "pole d'activites et de soins adaptes": ("", "25"), "hebergement permanent": ("", "21"),
}


def ror_offer(phrase: str) -> tuple[str, str]:
    """"un EHPAD" -> ("500", ""), "une unité de vie protégée" -> ("", "24"); unknown words are an error
    listing the known ones (never a silent MECS)."""
    key = fold(strip_article(phrase))
    if key in ROR_VOCABULARY:
        return ROR_VOCABULARY[key]
    raise CastError(f"catégorie ou offre ROR inconnue : « {phrase} » (connues : {', '.join(sorted(ROR_VOCABULARY))})")


def status_code(label: str) -> str:
    try:
        return STATUS_LABELS[label.strip().lower()]
    except KeyError:
        raise CastError(f"statut d'identité inconnu : « {label} » (connus : {', '.join(STATUS_LABELS)})") from None
