"""The establishments and services of the journeys, with their ROR offers and MSSanté domains.

Geography is one coherent world: Elise lives in Montreuil (93048); the MECS candidates sit at
increasing distances (Rosny 3 km ... Argenteuil 17 km, Beauvais 70 km) with different age ranges and
free places, so an ROR search "near Elise, her age, places available" has exactly one obvious answer
(MECS Les Tilleuls) and every filter removes someone. Likewise, within 20 km of Daniel's cousin
(Cournon-d'Auvergne) one EHPAD has a protected unit (UVP) with a free place: Les Volcans
(Chamalières, ~11 km); La Roseraie's UVP is full and Le Clos Fleuri has none. Names are invented;
identifiers are drawn from the seed.

Departmental services (CRIP, SLS, ASE) have no FINESS: they are identified by the département's
SIRET (Struct_IdNat ``3`` + SIRET); FINESS establishments use ``1`` + FINESS ET.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.identities.mssante import JUDICIARY_DOMAIN, LIBERAL_DOMAINS


@dataclass(frozen=True)
class OfferSpec:
    offer_type: str | None
    label: str
    age_min: int
    age_max: int
    publics: tuple[str, ...]
    capacity_type: str
    installed: int
    available: int


@dataclass(frozen=True)
class EstablishmentSpec:
    id: str
    name: str
    kind: str
    commune: str
    legal_entity: str  # key of LEGAL_ENTITIES
    category: tuple[str, str] | None = None  # TRE_R66 (code, label); FINESS ET when set
    sector: str | None = None
    offers: tuple[OfferSpec, ...] = ()
    domain: str = ""  # MSSanté domain; "" for none
    org_box: str = ""  # local part of the organisational box; "" for none
    parent_id: str = ""
    journeys: tuple[str, ...] = ()


#: Legal entities: id -> (name, department, has a FINESS EJ).
LEGAL_ENTITIES: dict[str, tuple[str, str, bool]] = {
    "cd93": ("Département de la Seine-Saint-Denis", "93", True),
    "horizon-enfance": ("Association Horizon Enfance", "93", True),
    "amis-enfance": ("Fondation Les Amis de l'Enfance", "93", True),
    "picardie-jeunesse": ("Association Picardie Jeunesse", "60", True),
    "justice": ("Ministère de la Justice", "93", False),
    "education": ("Académie de Créteil", "94", False),
    "apei-93": ("Association Parents et Amis 93", "93", True),
    "liberal": ("Exercice libéral", "93", False),
    "pharmacie-mairie": ("SELARL Pharmacie de la Mairie", "93", True),
    "chu63": ("CHU de Clermont-Ferrand", "63", True),
    "volcans": ("Groupe Les Volcans Accueil", "63", True),
    "ccas-riom": ("CCAS de Riom", "63", True),
    "adapei63": ("Association Adapei du Puy-de-Dôme", "63", True),
    "pharmacie-jaude": ("SELAS Pharmacie de Jaude", "63", True),
    "spst63": ("Service de prévention et de santé au travail du Puy-de-Dôme", "63", False),
    "liberal63": ("Exercice libéral", "63", False),
    "ch-ardeche": ("Centre hospitalier des Vals d'Ardèche", "07", True),
    "chi-93": ("Centre hospitalier intercommunal de Montreuil", "93", True),
    "domicile-63": ("Association Domicile Puy-de-Dôme", "63", True),
    "udaf63": ("UDAF du Puy-de-Dôme", "63", True),
    "creche-rosny": ("Ville de Rosny-sous-Bois", "93", False),
}

CD93 = "cd93.mssante.test"
MECS = ("177", "Maison d'enfants à caractère social")
EHPAD = ("500", "Etablissement d'hébergement pour personnes âgées dépendantes")
PHARMACY = ("620", "Pharmacie d'Officine")
NO_OFFER_TYPE = "Hébergement MECS (pas de type d'offre ROR)"


def _mecs(places: int, free: int, age_min: int, age_max: int) -> tuple[OfferSpec, ...]:
    return (OfferSpec(None, NO_OFFER_TYPE, age_min, age_max, ("07",), "02", places, free),)


def _ehpad(permanent: tuple[int, int], uvp: tuple[int, int] | None = None,
           pasa: tuple[int, int] | None = None) -> tuple[OfferSpec, ...]:
    offers = [OfferSpec("21", "Hébergement permanent EHPAD", 60, 120, ("01",), "02", *permanent)]
    if uvp:
        offers.append(OfferSpec("24", "Unité de vie protégée (UVP)", 60, 120, ("01",), "02", *uvp))
    if pasa:
        offers.append(OfferSpec("25", "Pôle d'activités et de soins adaptés (PASA)", 60, 120,
                                ("01",), "02", *pasa))
    return tuple(offers)


ESTABLISHMENTS: tuple[EstablishmentSpec, ...] = (
    # --- Seine-Saint-Denis: the département and its services --------------------------------------
    EstablishmentSpec("departement-93", "Département de la Seine-Saint-Denis", "Conseil départemental",
                      "93008", "cd93", domain=CD93, org_box="courrier"),
    EstablishmentSpec("crip-93", "CRIP de la Seine-Saint-Denis", "CRIP", "93008", "cd93",
                      sector="SA20", domain=CD93, org_box="crip", parent_id="departement-93",
                      journeys=("fanny", "elise")),
    EstablishmentSpec("ase-93", "Aide sociale à l'enfance de la Seine-Saint-Denis", "ASE", "93008",
                      "cd93", sector="SA20", domain=CD93, org_box="ase", parent_id="departement-93",
                      journeys=("fanny", "elise", "yanis")),
    EstablishmentSpec("sls-saint-denis", "Service local de solidarité de Saint-Denis", "SLS", "93066",
                      "cd93", domain=CD93, org_box="sls.saint-denis", parent_id="departement-93",
                      journeys=("fanny",)),
    EstablishmentSpec("pmi-saint-denis", "Centre de PMI de Saint-Denis", "PMI", "93066", "cd93",
                      ("223", "Protection maternelle et infantile (PMI)"),
                      offers=(OfferSpec("125", "Consultations de PMI", 0, 6, ("07",), "02", 0, 0),),
                      domain=CD93, org_box="pmi.saint-denis", parent_id="departement-93",
                      journeys=("fanny",)),
    EstablishmentSpec("pmi-rosny", "Centre de PMI de Rosny-sous-Bois", "PMI", "93064", "cd93",
                      ("223", "Protection maternelle et infantile (PMI)"),
                      offers=(OfferSpec("125", "Consultations de PMI", 0, 6, ("07",), "02", 0, 0),),
                      domain=CD93, org_box="pmi.rosny", parent_id="departement-93", journeys=("lucas",)),
    EstablishmentSpec("mdph-93", "MDPH de la Seine-Saint-Denis", "MDPH", "93008", "cd93",
                      ("609", "Maison Départementale pour Personnes Handicapées (MDPH)"), sector="SA16",
                      domain=CD93, org_box="mdph", parent_id="departement-93", journeys=("adrien",)),
    EstablishmentSpec("aemo-bondy", "Service AEMO de Bondy", "AEMO", "93010", "horizon-enfance",
                      ("295", "Service AEMO et AED"), sector="SA20", domain="horizon-enfance.mssante.test",
                      org_box="aemo.bondy", journeys=("fanny", "elliot")),
    # --- MECS candidates around Montreuil -----------------------------------------------------------
    EstablishmentSpec("mecs-les-tilleuls", "MECS Les Tilleuls", "MECS", "93064", "horizon-enfance",
                      MECS, "SA20", _mecs(24, 2, 12, 18), "horizon-enfance.mssante.test",
                      "mecs.tilleuls", journeys=("elise", "yanis")),
    EstablishmentSpec("mecs-le-phare", "MECS Le Phare", "MECS", "93010", "horizon-enfance", MECS,
                      "SA20", _mecs(18, 3, 6, 12), "horizon-enfance.mssante.test", "mecs.phare",
                      journeys=("elise",)),
    EstablishmentSpec("mecs-la-passerelle", "MECS La Passerelle", "MECS", "93051", "amis-enfance",
                      MECS, "SA20", _mecs(30, 0, 13, 18), "amis-enfance.mssante.test",
                      "mecs.passerelle", journeys=("elise",)),
    EstablishmentSpec("mecs-les-cedres", "MECS Les Cèdres", "MECS", "77108", "amis-enfance", MECS,
                      "SA20", _mecs(20, 1, 14, 21), "amis-enfance.mssante.test", "mecs.cedres",
                      journeys=("elise",)),
    EstablishmentSpec("mecs-l-escale", "MECS L'Escale", "MECS", "95018", "amis-enfance", MECS,
                      "SA20", _mecs(16, 2, 12, 18), "amis-enfance.mssante.test", "mecs.escale",
                      journeys=("elise",)),
    EstablishmentSpec("mecs-les-hirondelles", "MECS Les Hirondelles", "MECS", "60057",
                      "picardie-jeunesse", MECS, "SA20", _mecs(22, 4, 12, 18),
                      "picardie-jeunesse.mssante.test", "mecs.hirondelles", journeys=("elise",)),
    # --- Outside the médico-social field -------------------------------------------------------------
    EstablishmentSpec("tribunal-bobigny", "Tribunal judiciaire de Bobigny - tribunal pour enfants",
                      "Tribunal", "93008", "justice", domain=JUDICIARY_DOMAIN, org_box="greffe.mineurs",
                      journeys=("fanny", "elliot", "elise")),
    EstablishmentSpec("college-jean-moulin", "Collège Jean Moulin", "Collège", "93005", "education",
                      domain="ac-creteil.mssante.test", org_box="infirmerie.0930001a",
                      journeys=("elliot",)),
    EstablishmentSpec("college-marie-curie", "Collège Marie Curie", "Collège", "93048", "education",
                      domain="ac-creteil.mssante.test", org_box="infirmerie.0930002b",
                      journeys=("elise",)),
    EstablishmentSpec("cabinet-ergo-saint-denis", "Cabinet d'ergothérapie de la Basilique",
                      "Cabinet libéral", "93066", "liberal", domain=LIBERAL_DOMAINS["paramedical"],
                      journeys=("fanny",)),
    EstablishmentSpec("cabinet-medical-montreuil", "Cabinet médical de la Croix de Chavaux",
                      "Cabinet libéral", "93048", "liberal", domain=LIBERAL_DOMAINS["medecin"],
                      journeys=("elise",)),
    EstablishmentSpec("pharmacie-mairie-montreuil", "Pharmacie de la Mairie", "Pharmacie", "93048",
                      "pharmacie-mairie", PHARMACY, domain="pharmacie-mairie-montreuil.mssante.test",
                      org_box="officine", journeys=("elise",)),
    # --- Disability, children -------------------------------------------------------------------------
    EstablishmentSpec("camsp-bondy", "CAMSP de Bondy", "CAMSP", "93010", "apei-93",
                      ("190", "Centre action médico-sociale précoce (CAMSP)"), "SA16",
                      (OfferSpec("61", "CAMSP", 0, 6, ("02",), "02", 40, 3),),
                      "apei93.mssante.test", "camsp.bondy", journeys=("lucas",)),
    EstablishmentSpec("camsp-saint-denis", "CAMSP de Saint-Denis", "CAMSP", "93066", "apei-93",
                      ("190", "Centre action médico-sociale précoce (CAMSP)"), "SA16",
                      (OfferSpec("61", "CAMSP", 0, 6, ("02",), "02", 35, 0),),
                      "apei93.mssante.test", "camsp.saint-denis", journeys=("lucas",)),
    EstablishmentSpec("dime-les-coquelicots", "DIME Les Coquelicots", "DIME", "93051", "apei-93",
                      ("183", "Institut médico-éducatif (IME)"), "SA16",
                      (OfferSpec("48", "Institut médico-éducatif (IME)", 6, 20, ("02",), "02", 60, 2),),
                      "apei93.mssante.test", "dime.coquelicots", journeys=("adrien", "lucas")),
    # --- Puy-de-Dôme: elderly and adult disability -----------------------------------------------------
    EstablishmentSpec("chu-clermont", "CHU de Clermont-Ferrand - site Gabriel Montpied", "Hôpital",
                      "63113", "chu63", ("101", "Centre Hospitalier Régional (C.H.R.)"), "SA01",
                      domain="chu-clermont.mssante.test", org_box="urgences",
                      journeys=("eleanore", "daniel", "louis")),
    EstablishmentSpec("ehpad-les-volcans", "EHPAD Les Volcans", "EHPAD", "63075", "volcans", EHPAD,
                      "SA17", _ehpad((80, 0), uvp=(14, 1), pasa=(14, 2)), "les-volcans.mssante.test",
                      "ehpad.volcans", journeys=("eleanore", "daniel", "samir")),
    EstablishmentSpec("ehpad-la-roseraie", "EHPAD La Roseraie", "EHPAD", "63124", "volcans", EHPAD,
                      "SA17", _ehpad((70, 0), uvp=(12, 0)), "les-volcans.mssante.test",
                      "ehpad.roseraie", journeys=("daniel",)),
    EstablishmentSpec("ehpad-le-clos-fleuri", "EHPAD Le Clos Fleuri", "EHPAD", "63300", "ccas-riom",
                      EHPAD, "SA17", _ehpad((60, 2)), "ccas-riom.mssante.test", "ehpad.closfleuri",
                      journeys=("daniel",)),
    EstablishmentSpec("residence-les-cerisiers", "Résidence autonomie Les Cerisiers",
                      "Résidence autonomie", "63014", "volcans", ("202", "Résidences autonomie"), "SA17",
                      (OfferSpec("22", "Hébergement personnes âgées autonomes", 60, 120, ("03",), "02",
                                 40, 3),), "les-volcans.mssante.test", "residence.cerisiers",
                      journeys=("christiane",)),
    EstablishmentSpec("ssiad-val-d-allier", "SSIAD du Val d'Allier", "SSIAD", "63178", "ccas-riom",
                      ("354", "Service de soins infirmiers à domicile (SSIAD)"), "SA17",
                      (OfferSpec("28", "Soins infirmiers à domicile", 60, 120, ("01",), "02", 35, 2),),
                      "ccas-riom.mssante.test", "ssiad.issoire", journeys=("irene",)),
    EstablishmentSpec("foyer-de-vie-les-couteliers", "Foyer de vie Les Couteliers", "Foyer de vie",
                      "63430", "adapei63", ("382", "Foyer de vie pour adultes handicapés"), "SA16",
                      (OfferSpec("97", "Foyer de vie", 20, 60, ("02",), "02", 32, 1),),
                      "adapei63.mssante.test", "foyer.couteliers", journeys=("claude",)),
    EstablishmentSpec("esat-ateliers-de-riom", "ESAT Les Ateliers de Riom", "ESAT", "63300", "adapei63",
                      ("246", "Etablissement et service d'aide par le travail (ESAT)"), "SA16",
                      (OfferSpec("43", "ESAT", 18, 62, ("02",), "02", 90, 4),),
                      "adapei63.mssante.test", "esat.riom", journeys=("ginaud",)),
    EstablishmentSpec("foyer-hebergement-riom", "Foyer d'hébergement Le Mozac", "Foyer d'hébergement",
                      "63300", "adapei63", ("252", "Foyer d'hébergement d'adultes handicapés"), "SA16",
                      (OfferSpec("96", "Foyer d'hébergement", 18, 62, ("02",), "02", 28, 0),),
                      "adapei63.mssante.test", "foyer.mozac", journeys=("ginaud",)),
    EstablishmentSpec("spst-63", "Service de prévention et de santé au travail", "Santé au travail",
                      "63113", "spst63", domain="spst63.mssante.test", org_box="secretariat",
                      journeys=("ginaud",)),
    EstablishmentSpec("cabinet-medical-jaude", "Cabinet médical de Jaude", "Cabinet libéral", "63113",
                      "liberal63", domain=LIBERAL_DOMAINS["medecin"], journeys=("irene", "louis")),
    EstablishmentSpec("cabinet-infirmier-issoire", "Cabinet infirmier du Pont", "Cabinet libéral",
                      "63178", "liberal63", domain=LIBERAL_DOMAINS["infirmier"], journeys=("irene",)),
    EstablishmentSpec("pharmacie-de-jaude", "Pharmacie de Jaude", "Pharmacie", "63113",
                      "pharmacie-jaude", PHARMACY, domain="pharmacie-de-jaude.mssante.test",
                      org_box="officine", journeys=("irene", "christiane", "louis")),
    # --- Elderly and disability journeys (scenarios-pa-ph.md): the places they add ----------------------
    EstablishmentSpec("pasa-les-sorbiers", "PASA de l'EHPAD Les Sorbiers", "PASA", "63113", "ccas-riom", EHPAD,
                      "SA17", _ehpad((50, 0), pasa=(12, 1)), "ccas-riom.mssante.test", "pasa.sorbiers",
                      journeys=("samir",)),
    EstablishmentSpec("saad-domicile-63", "SAAD Domicile Puy-de-Dôme", "SAAD", "63113", "domicile-63",
                      ("460", "Service d'aide et d'accompagnement à domicile (SAAD)"), "SA17",
                      domain="domicile63.mssante.test", org_box="saad.clermont", journeys=("louis",)),
    # the ROR lists this SAVS itself (simulators/ror/seed.py EXTRA "savs-clermont"): no FINESS category here
    EstablishmentSpec("savs-arverne", "SAVS Arverne", "SAVS", "63113", "adapei63", None, "SA16",
                      domain="adapei63.mssante.test", org_box="savs.clermont", journeys=("louis",)),
    EstablishmentSpec("mjpm-udaf63", "Service mandataire judiciaire de l'UDAF 63", "MJPM", "63113", "udaf63",
                      None, "SA16",
                      domain="udaf63.mssante.test", org_box="mjpm", journeys=("louis",)),
    EstablishmentSpec("smr-chu-clermont", "SMR du CHU de Clermont-Ferrand", "SMR", "63113", "chu63",
                      domain="chu-clermont.mssante.test", org_box="smr", parent_id="chu-clermont",
                      journeys=("daniel", "claude")),
    EstablishmentSpec("ch-privas", "Centre hospitalier des Vals d'Ardèche", "Hôpital", "07186", "ch-ardeche",
                      None, "SA01", domain="ch-ardeche.mssante.test",
                      org_box="urgences", journeys=("claude",)),
    EstablishmentSpec("chi-montreuil", "Centre hospitalier intercommunal de Montreuil", "Hôpital", "93048",
                      "chi-93", None, "SA01", domain="chi-montreuil.mssante.test",
                      org_box="urgences", journeys=("adrien", "lucas")),
    EstablishmentSpec("cabinet-medical-bondy", "Cabinet médical de la gare de Bondy", "Cabinet libéral", "93010",
                      "liberal", domain=LIBERAL_DOMAINS["medecin"], journeys=("eleanore", "adrien", "lucas")),
    EstablishmentSpec("cabinet-paramedical-rosny", "Cabinet paramédical de Rosny", "Cabinet libéral", "93064",
                      "liberal", domain=LIBERAL_DOMAINS["paramedical"], journeys=("lucas",)),
    EstablishmentSpec("cabinet-infirmier-montreuil", "Cabinet infirmier de la Boissière", "Cabinet libéral",
                      "93048", "liberal", domain=LIBERAL_DOMAINS["infirmier"], journeys=("adrien",)),
    EstablishmentSpec("creche-les-lutins", "Crèche Les Lutins", "Crèche", "93064", "creche-rosny",
                      domain="rosny.mssante.test", org_box="creche.lutins", journeys=("lucas",)),
)
