# language: fr
@parcours @ph @ginaud
Fonctionnalité: Monsieur Ginaud — travailleur d'ESAT, hébergé par le foyer d'un autre organisme
  Blessé au travail, il est emmené par le SAMU ; l'éducateur de l'ESAT verse son DLU au DMP et prévient le
  foyer d'hébergement. Aux urgences, son INS est qualifiée et l'IOA lit le DMP ; l'urgentiste verse le
  compte rendu et une ordonnance de soins infirmiers au DMP et envoie l'arrêt de travail au foyer, par
  MSSanté seulement. Le foyer transmet à l'infirmier libéral et à l'ESAT ; l'ESAT demande une visite de
  reprise ; le médecin du travail lit le DMP et, avec l'accord de M. Ginaud, y verse ses préconisations,
  que l'ESAT lit pour préparer son retour.

  Contexte:
    Étant donné le parcours de "Monsieur Ginaud" sur le banc socle-bench

  @dmp @mss @insi
  Scénario: 1. Après l'appel au 15, l'éducateur de l'ESAT verse le DLU au DMP et prévient le foyer
    Étant donné que hors socle, "l'éducateur de l'ESAT" a appelé le 15 et le SAMU emmène Monsieur Ginaud
    Et que l'INS de "Monsieur Ginaud" a été qualifiée par "l'éducateur de l'ESAT"
    Quand "l'éducateur de l'ESAT" verse "le DLU" de "Monsieur Ginaud" au DMP
    Et "l'éducateur de l'ESAT" envoie par MSSanté "le message d'information" de "Monsieur Ginaud" au "foyer d'hébergement Le Mozac"
    Alors "le DLU" de "Monsieur Ginaud" a été versé au DMP
    Et la boîte MSSanté du "foyer d'hébergement Le Mozac" a reçu "le message d'information" avec sa pièce jointe
    Et les échanges avec le service "DMP" sont conformes

  @insi @dmp
  Scénario: 2. Aux urgences, l'INS est qualifiée et l'IOA lit le DMP
    Étant donné que le DMP de "Monsieur Ginaud" contient "le DLU" déposé par "l'éducateur de l'ESAT"
    Quand "l'infirmière d'accueil et d'orientation" consulte le DMP de "Monsieur Ginaud" avec son propre logiciel
    Alors le téléservice INSi a reçu les traits normalisés de "Monsieur Ginaud"
    Et "l'infirmière d'accueil et d'orientation" voit "le DLU" dans le DMP de "Monsieur Ginaud"

  @dmp @mss
  Scénario: 3. L'urgentiste verse le compte rendu et l'ordonnance au DMP ; l'arrêt de travail part par MSSanté seulement
    Quand "le médecin urgentiste" verse "le compte rendu de passage aux urgences et l'ordonnance de soins infirmiers" de "Monsieur Ginaud" au DMP avec son propre logiciel
    Et "le médecin urgentiste" envoie par MSSanté "le compte rendu de passage aux urgences, l'ordonnance de soins infirmiers et l'arrêt de travail" de "Monsieur Ginaud" au "foyer d'hébergement Le Mozac" avec son propre logiciel
    Alors "le compte rendu de passage aux urgences et l'ordonnance de soins infirmiers" de "Monsieur Ginaud" ont été versés au DMP
    Et "l'arrêt de travail" de "Monsieur Ginaud" n'a été versé au DMP par personne
    Et la boîte MSSanté du "foyer d'hébergement Le Mozac" a reçu "l'arrêt de travail" avec ses pièces jointes

  @dmp @mss @insi
  Scénario: 4. Le foyer lit le DMP, transmet à l'infirmier libéral et envoie l'arrêt de travail à l'ESAT
    Étant donné que l'INS de "Monsieur Ginaud" a été qualifiée par "l'infirmière du foyer d'hébergement"
    Et que le DMP de "Monsieur Ginaud" contient "le compte rendu de passage aux urgences et l'ordonnance de soins infirmiers" déposés par "le médecin urgentiste"
    Quand "l'infirmière du foyer d'hébergement" consulte le DMP de "Monsieur Ginaud"
    Alors "l'infirmière du foyer d'hébergement" voit "le compte rendu de passage aux urgences et l'ordonnance de soins infirmiers" dans le DMP de "Monsieur Ginaud"
    Quand "l'infirmière du foyer d'hébergement" envoie par MSSanté "le compte rendu de passage aux urgences et l'ordonnance de soins infirmiers" de "Monsieur Ginaud" à "l'infirmier libéral"
    Et "l'infirmière du foyer d'hébergement" envoie par MSSanté "l'arrêt de travail" de "Monsieur Ginaud" à "l'ESAT Les Ateliers de Riom" depuis la boîte du "foyer d'hébergement Le Mozac"
    Alors la boîte MSSanté de "l'infirmier libéral" a reçu "le compte rendu de passage aux urgences" avec ses pièces jointes
    Et la boîte MSSanté de "l'ESAT Les Ateliers de Riom" a reçu "l'arrêt de travail" avec sa pièce jointe
    Et "l'arrêt de travail" de "Monsieur Ginaud" n'a été versé au DMP par personne
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 5. L'ESAT demande une visite de reprise au service de santé au travail
    Quand "le moniteur d'atelier ESAT" envoie par MSSanté "la demande de visite de reprise" de "Monsieur Ginaud" au "Service de prévention et de santé au travail"
    Alors la boîte MSSanté du "Service de prévention et de santé au travail" a reçu "la demande de visite de reprise" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @dmp
  Scénario: 6. Le médecin du travail lit le DMP et, avec l'accord de M. Ginaud, y verse ses préconisations, lues par l'ESAT
    Étant donné que "Monsieur Ginaud" a donné son accord pour "l'accès du médecin du travail à son DMP"
    Et que l'INS de "Monsieur Ginaud" a été qualifiée par "l'éducateur de l'ESAT"
    Quand "le médecin du travail" consulte le DMP de "Monsieur Ginaud" avec son propre logiciel
    Et "le médecin du travail" verse "les préconisations de la médecine du travail" de "Monsieur Ginaud" au DMP avec son propre logiciel
    Alors "les préconisations de la médecine du travail" de "Monsieur Ginaud" ont été versées au DMP
    Quand "l'éducateur de l'ESAT" consulte le DMP de "Monsieur Ginaud"
    Alors "l'éducateur de l'ESAT" voit "les préconisations de la médecine du travail" dans le DMP de "Monsieur Ginaud"
    Et les échanges avec le service "DMP" sont conformes
