# language: fr
@parcours @pa @eleanore
Fonctionnalité: Éléanore, 88 ans — EHPAD, télé-expertise, transfert aux urgences
  Son ulcère résiste au protocole du médecin traitant : avec leur accord, l'infirmière de l'EHPAD envoie
  photos et description à une dermatologue, qui renvoie un protocole et une ordonnance. Une arythmie
  se règle en téléconsultation, hors socle. Quand Éléanore s'aggrave, l'infirmière verse son DLU au
  DMP avant le transfert ; aux urgences, l'IOA qualifie son INS et lit le DLU ; l'urgentiste verse le
  compte rendu au DMP et l'envoie à la boîte organisationnelle de l'EHPAD, lue la nuit.

  Contexte:
    Étant donné le parcours d'"Éléanore" sur le banc socle-bench

  @mss @annuaire
  Scénario: 1. Télé-expertise : l'infirmière envoie photos et description à une dermatologue
    Étant donné qu'"Éléanore" a donné son accord pour "la télé-expertise avec photos"
    Quand "l'infirmière coordinatrice d'EHPAD" recherche dans l'Annuaire santé la boîte de "la dermatologue"
    Alors l'Annuaire santé a été interrogé et donne la boîte de "la dermatologue"
    Quand "l'infirmière coordinatrice d'EHPAD" envoie par MSSanté "la demande de télé-expertise et la photo de plaie" d'"Éléanore" à "la dermatologue"
    Alors la boîte MSSanté de "la dermatologue" a reçu "la demande de télé-expertise" avec ses pièces jointes
    Et les échanges avec le service "Annuaire santé" sont conformes
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 2. La dermatologue renvoie protocole et ordonnance ; l'infirmière en informe le médecin traitant
    Quand "la dermatologue" envoie par MSSanté "le protocole de soins et l'ordonnance" d'"Éléanore" à "l'infirmière coordinatrice d'EHPAD" avec son propre logiciel
    Alors la boîte MSSanté de "l'infirmière coordinatrice d'EHPAD" a reçu "le protocole de soins" avec ses pièces jointes
    Quand "l'infirmière coordinatrice d'EHPAD" transfère par MSSanté "le protocole de soins" d'"Éléanore" au "médecin traitant" : "Pour information, protocole de la dermatologue."
    Alors la boîte MSSanté du "médecin traitant" a reçu "le protocole de soins" avec ses pièces jointes
    Et le message transféré au "médecin traitant" garde les pièces jointes et l'INS du message d'origine
    Et les échanges avec le service "MSSanté" sont conformes

  Scénario: 3. Une arythmie : téléphone puis téléconsultation, hors socle
    Quand "l'infirmière coordinatrice d'EHPAD" téléphone au médecin traitant au sujet d'une arythmie
    Et hors socle, "le médecin traitant" réalise une téléconsultation avec un électrocardiogramme connecté
    Alors aucun service socle n'a été appelé

  @mss @dmp @insi
  Scénario: 4. Le médecin traitant envoie l'ordonnance cardiologique à l'EHPAD et la verse au DMP
    Quand "le médecin traitant" verse "l'ordonnance" d'"Éléanore" au DMP avec son propre logiciel
    Et "le médecin traitant" envoie par MSSanté "l'ordonnance" d'"Éléanore" à "l'EHPAD Les Volcans" avec une archive XDM avec son propre logiciel
    Alors "l'ordonnance" d'"Éléanore" a été versée au DMP
    Et la boîte MSSanté de "l'EHPAD Les Volcans" a reçu "l'ordonnance" avec sa pièce jointe

  @dmp @insi
  Scénario: 5. Éléanore s'aggrave : avant le transfert, l'infirmière verse son DLU au DMP
    Étant donné que l'INS d'"Éléanore" a été qualifiée par "l'infirmière coordinatrice d'EHPAD"
    Quand "l'infirmière coordinatrice d'EHPAD" verse "le DLU" d'"Éléanore" au DMP
    Alors "le DLU" d'"Éléanore" a été versé au DMP
    Et les échanges avec le service "DMP" sont conformes

  @insi @dmp
  Scénario: 6. Aux urgences, l'IOA vérifie l'identité, qualifie l'INS et lit le DLU
    Étant donné que le DMP d'"Éléanore" contient "le DLU" déposé par "l'infirmière coordinatrice d'EHPAD"
    Quand "l'infirmière d'accueil et d'orientation" consulte le DMP d'"Éléanore" avec son propre logiciel
    Alors le téléservice INSi a reçu les traits normalisés d'"Éléanore"
    Et "l'infirmière d'accueil et d'orientation" voit "le DLU" dans le DMP d'"Éléanore"

  @dmp @mss
  Scénario: 7. L'urgentiste verse le compte rendu au DMP et l'adresse à la boîte organisationnelle de l'EHPAD
    Quand "le médecin urgentiste" verse "le compte rendu d'hospitalisation" d'"Éléanore" au DMP avec son propre logiciel
    Et "le médecin urgentiste" envoie par MSSanté "le compte rendu d'hospitalisation, l'ordonnance et le relevé des constantes" d'"Éléanore" à "l'EHPAD Les Volcans" avec son propre logiciel
    Alors "le compte rendu d'hospitalisation" d'"Éléanore" a été versé au DMP
    Et la boîte MSSanté de "l'EHPAD Les Volcans" a reçu "le compte rendu d'hospitalisation" avec ses pièces jointes

  @mss
  Scénario: 8. À minuit, l'aide-soignante de nuit lit la boîte de l'EHPAD ; au matin, les constantes partent au médecin
    Étant donné que "le médecin urgentiste" envoie par MSSanté "le compte rendu d'hospitalisation, l'ordonnance et le relevé des constantes" d'"Éléanore" à "l'EHPAD Les Volcans" avec son propre logiciel
    Quand "l'aide-soignante de nuit" relève la boîte MSSanté de "l'EHPAD Les Volcans"
    Alors "l'aide-soignante de nuit" a relevé "le compte rendu d'hospitalisation" dans la boîte MSSanté
    Quand "l'infirmière coordinatrice d'EHPAD" envoie par MSSanté "le relevé des constantes" d'"Éléanore" au "médecin traitant"
    Alors la boîte MSSanté du "médecin traitant" a reçu "le relevé des constantes" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes
