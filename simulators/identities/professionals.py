"""The professionals of each journey, with the profession codes the DMP/VIHF and the directory use.

Health professionals (TRE_G15: médecin 10, pharmacien 21, infirmier 60, ergothérapeute 94) get an
RPPS; psychologists too (they are registered in the RPPS since 2022-2023 — treat as
**UNCONFIRMED** for the exact date) with the TRE_R95 title code 93 that dmp.md gives. Social
professions (TRE_R94) and administrative staff (TRE_R85 312 "Autre professionnel") have no RPPS:
their MSSanté personal boxes are carried by their structure. The judge has no MSSanté box at all:
only an ordinary e-mail on the judiciary domain, outside the trust space.
"""

from __future__ import annotations

from dataclasses import dataclass

G15 = "1.2.250.1.71.1.2.7"  # TRE_G15 professions (RPPS)
R94 = "1.2.250.1.213.1.6.1.4"  # TRE_R94 social professions
R95 = "1.2.250.1.213.1.6.1.109"  # TRE_R95 titles (psychologue 93)
R85 = "1.2.250.1.213.1.6.1.107"  # TRE_R85 roles (312 autre professionnel)

PROFESSIONS: dict[str, tuple[str, str, str, bool]] = {
    # key: (code, system OID, label, registered in the RPPS)
    "medecin": ("10", G15, "Médecin", True),
    "pharmacien": ("21", G15, "Pharmacien", True),
    "infirmier": ("60", G15, "Infirmier", True),
    "ergotherapeute": ("94", G15, "Ergothérapeute", True),
    "psychologue": ("93", R95, "Psychologue", True),
    "assistant-social": ("41", R94, "Assistant de service social", False),
    "cesf": ("44", R94, "Conseiller en économie sociale et familiale", False),
    "educateur-specialise": ("51", R94, "Educateur spécialisé", False),
    "autre": ("312", R85, "Autre professionnel", False),
    "magistrat": ("", "", "Magistrat (hors santé)", False),
}


@dataclass(frozen=True)
class ProfessionalSpec:
    id: str
    civility: str
    first_name: str
    last_name: str
    role: str  # French, as the journeys name it
    profession: str  # key of PROFESSIONS
    establishment_id: str
    journeys: tuple[str, ...]
    specialty: str = ""  # savoir-faire code (TRE_R01), e.g. SM54 médecine générale


def _p(pid: str, civ: str, first: str, last: str, role: str, prof: str, est: str,
       *journeys: str, specialty: str = "") -> ProfessionalSpec:
    return ProfessionalSpec(pid, civ, first, last, role, prof, est, journeys, specialty)


PROFESSIONALS: tuple[ProfessionalSpec, ...] = (
    # Fanny
    _p("ergotherapeute-fanny", "MME", "Hélène", "Marchetti", "ergothérapeute", "ergotherapeute",
       "cabinet-ergo-saint-denis", "fanny"),
    _p("crip-evaluatrice", "MME", "Nadia", "Ouali", "évaluatrice de la CRIP", "assistant-social",
       "crip-93", "fanny"),
    _p("ase-gestionnaire", "MME", "Sandrine", "Leblanc", "gestionnaire ASE", "autre", "ase-93", "fanny"),
    _p("ase-responsable", "M", "Patrick", "Duval", "responsable ASE", "autre", "ase-93",
       "fanny", "elise"),
    _p("psychologue-departement", "M", "Antoine", "Mercier", "psychologue", "psychologue", "ase-93",
       "fanny"),
    _p("pmi-medecin", "DR", "Florence", "Chevalier", "médecin de PMI", "medecin", "pmi-saint-denis",
       "fanny", specialty="SM40"),
    _p("pmi-puericultrice", "MME", "Julie", "Renaud", "infirmière puéricultrice de PMI", "infirmier",
       "pmi-saint-denis", "fanny"),
    _p("sls-responsable", "MME", "Christine", "Faure", "responsable du SLS", "autre", "sls-saint-denis",
       "fanny"),
    _p("sls-assistante-sociale", "MME", "Amandine", "Roy", "assistante sociale du SLS",
       "assistant-social", "sls-saint-denis", "fanny"),
    _p("sls-secretaire", "MME", "Corinne", "Legrand", "secrétaire du SLS", "autre", "sls-saint-denis",
       "fanny"),
    # Elliot (AEMO team)
    _p("aemo-cheffe-de-service", "MME", "Sylvie", "Brunet", "cheffe de service AEMO", "autre",
       "aemo-bondy", "elliot", "fanny"),
    _p("aemo-psychologue", "M", "David", "Lambert", "psychologue AEMO", "psychologue", "aemo-bondy",
       "elliot"),
    _p("aemo-educateur", "M", "Mehdi", "Amrani", "éducateur spécialisé AEMO", "educateur-specialise",
       "aemo-bondy", "elliot", "fanny"),
    _p("aemo-assistante-sociale", "MME", "Pauline", "Girard", "assistante sociale AEMO",
       "assistant-social", "aemo-bondy", "elliot"),
    _p("aemo-cesf", "MME", "Lucie", "Carpentier", "CESF AEMO", "cesf", "aemo-bondy", "elliot"),
    _p("aemo-secretaire", "MME", "Nathalie", "Barbier", "secrétaire AEMO", "autre", "aemo-bondy",
       "elliot"),
    _p("infirmiere-scolaire-elliot", "MME", "Agnès", "Lemaire", "infirmière scolaire", "infirmier",
       "college-jean-moulin", "elliot"),
    # Elise
    _p("infirmiere-scolaire-elise", "MME", "Sabrina", "Colin", "infirmière scolaire", "infirmier",
       "college-marie-curie", "elise"),
    _p("crip-assistante-sociale", "MME", "Laure", "Picard", "assistante sociale de la CRIP",
       "assistant-social", "crip-93", "elise"),
    _p("juge-des-enfants", "M", "Xavier", "Delmas", "juge des enfants", "magistrat", "tribunal-bobigny",
       "elise", "elliot", "fanny"),
    _p("ase-referente", "MME", "Inès", "Boyer", "assistante sociale référente ASE", "assistant-social",
       "ase-93", "elise", "yanis"),
    _p("ase-educateur", "M", "Kevin", "Rolland", "éducateur ASE", "educateur-specialise", "ase-93",
       "elise"),
    _p("mecs-directrice", "MME", "Anne-Sophie", "Vidal", "directrice de MECS", "autre",
       "mecs-les-tilleuls", "elise"),
    _p("mecs-psychologue", "MME", "Claire", "Fournier", "psychologue de MECS", "psychologue",
       "mecs-les-tilleuls", "elise"),
    _p("mecs-educateur", "M", "Romain", "Guérin", "éducateur spécialisé de MECS", "educateur-specialise",
       "mecs-les-tilleuls", "elise"),
    _p("mecs-educatrice", "MME", "Léa", "Rousseau", "éducatrice spécialisée de MECS",
       "educateur-specialise", "mecs-les-tilleuls", "elise"),
    _p("mecs-secretaire", "MME", "Valérie", "Henry", "secrétaire de MECS", "autre", "mecs-les-tilleuls",
       "elise"),
    _p("medecin-elise", "DR", "Marc", "Lefebvre", "médecin généraliste", "medecin",
       "cabinet-medical-montreuil", "elise", specialty="SM54"),
    _p("pharmacien-montreuil", "M", "Olivier", "Simon", "pharmacien", "pharmacien",
       "pharmacie-mairie-montreuil", "elise"),
    # Lucas, Adrien
    _p("camsp-medecin", "DR", "Sarah", "Noël", "pédiatre du CAMSP", "medecin", "camsp-bondy", "lucas",
       specialty="SM40"),
    _p("dime-directeur", "M", "François", "Blanc", "directeur du DIME", "autre", "dime-les-coquelicots",
       "adrien", "lucas"),
    _p("mdph-gestionnaire", "MME", "Farida", "Mansour", "gestionnaire MDPH", "autre", "mdph-93", "adrien"),
    # Elderly and adult disability (Puy-de-Dôme)
    _p("medecin-traitant-jaude", "DR", "Catherine", "Arnaud", "médecin traitant", "medecin",
       "cabinet-medical-jaude", "irene", "louis", specialty="SM54"),
    _p("infirmier-liberal-issoire", "M", "Julien", "Marty", "infirmier libéral", "infirmier",
       "cabinet-infirmier-issoire", "irene"),
    _p("pharmacien-jaude", "MME", "Émilie", "Bonnet", "pharmacienne", "pharmacien", "pharmacie-de-jaude",
       "irene"),
    _p("chu-urgentiste", "DR", "Karim", "Hamidi", "médecin urgentiste", "medecin", "chu-clermont",
       "eleanore", "louis", specialty="SM54"),
    _p("chu-assistante-sociale", "MME", "Aurélie", "Prévost", "assistante sociale hospitalière",
       "assistant-social", "chu-clermont", "daniel"),
    _p("ehpad-medecin-coordonnateur", "DR", "Philippe", "Roger", "médecin coordonnateur d'EHPAD",
       "medecin", "ehpad-les-volcans", "eleanore", "daniel", "samir", specialty="SM54"),
    _p("ehpad-infirmiere", "MME", "Élodie", "Masson", "infirmière coordinatrice d'EHPAD", "infirmier",
       "ehpad-les-volcans", "eleanore", "samir"),
    _p("foyer-educatrice", "MME", "Manon", "Perret", "éducatrice spécialisée du foyer de vie",
       "educateur-specialise", "foyer-de-vie-les-couteliers", "claude"),
    _p("esat-moniteur", "M", "Grégory", "Chauvin", "moniteur d'atelier ESAT", "autre",
       "esat-ateliers-de-riom", "ginaud"),
    _p("medecin-du-travail", "DR", "Hugo", "Besson", "médecin du travail", "medecin", "spst-63",
       "ginaud", specialty="SM54"),
)
