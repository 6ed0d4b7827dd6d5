"""The persons of the journeys (scenarios.md): children and families, elderly and disability personas.

What is fixed here is the story: names, birth dates and places, homes, family links, the status
their identity has in a vendor DUI when the journey starts. What depends on the world seed (NIR
order numbers, street addresses, phone numbers) is drawn in world.py. Birth dates are chosen so that
the stated ages hold through 2026-2027 (Fanny 8, Elliot 14, Elise 15).

Persons under child protection start ``PROV``: qualifying their INS is a step of their journey.
"""

from __future__ import annotations

from dataclasses import dataclass

PDE = "pde"  # protection de l'enfance


@dataclass(frozen=True)
class PersonaSpec:
    id: str
    given_names: str  # as written, accents kept, space separated
    last_name: str  # used name as written
    sex: str
    birth_date: str
    birth_place: str  # COG
    home: str  # COG of the home commune
    birth_name: str = ""  # as written when different from the used name
    status: str = "QUAL"
    relations: tuple[tuple[str, str, bool], ...] = ()  # (kind of the other, other id, authority)
    legal_representatives: tuple[str, ...] = ()
    establishment_id: str = ""
    dmp: bool = True
    tags: tuple[str, ...] = ()
    story: str = ""


def _parents(mother: str, father: str | None = None) -> tuple[tuple[str, str, bool], ...]:
    links = [("mere", mother, True)]
    if father:
        links.append(("pere", father, True))
    return tuple(links)


PERSONAS: tuple[PersonaSpec, ...] = (
    # --- Fanny, 8: IP, evaluation, AEMO (Saint-Denis) --------------------------------------------
    PersonaSpec("fanny", "Fanny Léa", "Lavergne", "F", "2018-03-14", "93066", "93066",
                status="PROV", relations=_parents("fanny-mere", "fanny-pere"),
                legal_representatives=("fanny-mere", "fanny-pere"), tags=("persona", "enfant", PDE),
                story="8 ans : information préoccupante, évaluation, puis AEMO"),
    PersonaSpec("fanny-mere", "Sophie Anne", "Lavergne", "F", "1989-11-02", "59350", "93066",
                birth_name="Caron", relations=(("enfant", "fanny", False), ("conjoint", "fanny-pere", False)),
                tags=("parent",), story="Mère de Fanny"),
    PersonaSpec("fanny-pere", "Julien", "Lavergne", "M", "1986-05-19", "93066", "93066",
                relations=(("enfant", "fanny", False), ("conjoint", "fanny-mere", False)),
                tags=("parent",), story="Père de Fanny"),
    # --- Elliot, 14: court-ordered AEMO (Aulnay-sous-Bois) -----------------------------------------
    PersonaSpec("elliot", "Elliot Nathan", "Dumontier", "M", "2012-06-03", "75114", "93005",
                status="PROV", relations=_parents("elliot-mere", "elliot-pere"),
                legal_representatives=("elliot-mere", "elliot-pere"), tags=("persona", "enfant", PDE),
                story="14 ans : AEMO judiciaire ; messages à sa propre adresse Mon espace santé"),
    PersonaSpec("elliot-mere", "Karine", "Dumontier", "F", "1982-09-27", "93008", "93005",
                birth_name="Benali", relations=(("enfant", "elliot", False),), tags=("parent",),
                story="Mère d'Elliot"),
    PersonaSpec("elliot-pere", "Olivier Marc", "Dumontier", "M", "1979-01-30", "2A004", "93005",
                relations=(("enfant", "elliot", False),), tags=("parent", "corse"),
                story="Père d'Elliot, né à Ajaccio"),
    # --- Elise, 15: immediate danger, placement in a MECS (Montreuil) ------------------------------
    PersonaSpec("elise", "Élise Margaux", "d’Almeida-Roche", "F", "2011-09-22", "93048", "93048",
                status="PROV", relations=_parents("elise-mere", "elise-pere"),
                legal_representatives=("elise-mere", "elise-pere"), tags=("persona", "enfant", PDE),
                story="15 ans : danger imminent, placement judiciaire en MECS"),
    PersonaSpec("elise-mere", "Nathalie Hélène", "d'Almeida", "F", "1984-04-08", "63113", "93048",
                birth_name="Roche", relations=(("enfant", "elise", False), ("conjoint", "elise-pere", False)),
                tags=("parent",), story="Mère d'Élise"),
    PersonaSpec("elise-pere", "Bruno", "d'Almeida", "M", "1980-12-15", "99139", "93048",
                relations=(("enfant", "elise", False), ("conjoint", "elise-mere", False)),
                tags=("parent", "ne-a-l-etranger"), story="Père d'Élise, né au Portugal"),
    # --- Yanis, 12: the ASE as legal representative ------------------------------------------------
    PersonaSpec("yanis", "Yanis Adam", "Bertin", "M", "2014-10-05", "97209", "93064",
                legal_representatives=("ase-93",), establishment_id="mecs-les-tilleuls",
                tags=("persona", "enfant", PDE, "tutelle-ase"),
                story="12 ans, tutelle déférée à l'ASE : l'ASE est son représentant légal"),
    # --- Lucas, 3: PMI finds a CAMSP, then DIME (Rosny-sous-Bois) ---------------------------------
    PersonaSpec("lucas", "Lucas", "Marchand", "M", "2023-05-10", "93064", "93064", status="PROV",
                relations=_parents("lucas-mere", "lucas-pere"),
                legal_representatives=("lucas-mere", "lucas-pere"), tags=("persona", "enfant", "handicap"),
                story="3 ans : la PMI trouve un CAMSP dans le ROR, puis une orientation en DIME"),
    PersonaSpec("lucas-mere", "Camille", "Marchand", "F", "1995-07-21", "93064", "93064",
                relations=(("enfant", "lucas", False),), tags=("parent",), story="Mère de Lucas"),
    PersonaSpec("lucas-pere", "Thomas", "Marchand", "M", "1993-02-11", "77108", "93064",
                relations=(("enfant", "lucas", False),), tags=("parent",), story="Père de Lucas"),
    # --- Adrien, 12: DIME admission, MDPH notification in Mon espace santé -------------------------
    PersonaSpec("adrien", "Adrien Paul", "Fontaine", "M", "2014-02-17", "93051", "93051",
                relations=_parents("adrien-mere"), legal_representatives=("adrien-mere",),
                tags=("persona", "enfant", "handicap"),
                story="12 ans : admission en DIME, notification MDPH dans Mon espace santé"),
    PersonaSpec("adrien-mere", "Isabelle", "Fontaine", "F", "1983-06-30", "45234", "93051",
                birth_name="Giraud", relations=(("enfant", "adrien", False),), tags=("parent",),
                story="Mère d'Adrien"),
    # --- Elderly and disability journeys (Puy-de-Dôme) --------------------------------------------
    PersonaSpec("irene", "Irène Jeanne", "Bouchard", "F", "1941-02-09", "63178", "63178",
                tags=("persona", "personne-agee"),
                story="Soins à domicile : photo de plaie par MSS, ordonnance au DMP et à la pharmacie"),
    PersonaSpec("eleanore", "Éléanore Marie", "Vasseur", "F", "1934-08-17", "63113", "63075",
                establishment_id="ehpad-les-volcans", tags=("persona", "personne-agee"),
                story="EHPAD : télé-expertise, DLU au DMP, INS qualifiée aux urgences"),
    PersonaSpec("daniel", "Daniel Henri", "Perrin", "M", "1944-11-03", "63300", "63300",
                status="PROV",
                relations=(("conjoint", "daniel-epouse", False), ("cousin", "daniel-cousin", False)),
                tags=("persona", "personne-agee"),
                story="De l'hôpital à l'EHPAD : recherche ROR d'une unité de vie protégée"),
    PersonaSpec("daniel-epouse", "Monique", "Perrin", "F", "1946-03-12", "63430", "63300",
                birth_name="Lafont", relations=(("conjoint", "daniel", False),), tags=("aidant",),
                story="Épouse de Daniel"),
    # Lives in Cournon-d'Auvergne: the EHPAD La Roseraie there has a full UVP, so the search "EHPAD
    # with a protected unit and a free place within 20 km of the cousin" finds EHPAD Les Volcans
    # (Chamalières, about 11 km) alone.
    PersonaSpec("daniel-cousin", "Gilles André", "Perrin", "M", "1949-02-21", "63300", "63124",
                relations=(("cousin", "daniel", False),), tags=("proche",),
                story="Cousin de Daniel : l'EHPAD est cherché près de chez lui"),
    PersonaSpec("christiane", "Christiane", "Moulin", "F", "1938-05-26", "63075", "63014",
                relations=(("fille", "christiane-fille", False),),
                establishment_id="residence-les-cerisiers", tags=("persona", "personne-agee"),
                story="Résidence autonomie ; sa fille utilise Mon espace santé"),
    PersonaSpec("christiane-fille", "Valérie", "Garnier", "F", "1965-10-04", "63113", "63014",
                birth_name="Moulin", relations=(("mere", "christiane", False),), tags=("aidant",),
                story="Fille de Christiane"),
    PersonaSpec("samir", "Samir", "Bensaïd", "M", "1947-04-15", "99352", "63075",
                establishment_id="ehpad-les-volcans", tags=("persona", "personne-agee", "ne-a-l-etranger"),
                story="EHPAD et PASA partagent le projet personnalisé par le DMP"),
    PersonaSpec("louis", "Louis Émile", "Gauthier", "M", "1950-07-07", "63124", "63124",
                tags=("persona", "personne-agee"),
                story="Du domicile à l'hôpital et retour, DLU au DMP"),
    PersonaSpec("claude", "Bernard", "Claude", "M", "1968-01-22", "63430", "63430",
                establishment_id="foyer-de-vie-les-couteliers", tags=("persona", "handicap"),
                story="Monsieur Claude, foyer de vie : DLU au DMP avant les vacances"),
    PersonaSpec("ginaud", "Marc Antoine", "Ginaud", "M", "1979-09-09", "63300", "63300",
                establishment_id="esat-ateliers-de-riom", tags=("persona", "handicap"),
                story="Monsieur Ginaud, ESAT et foyer d'hébergement : avis de santé au travail par le DMP"),
)
