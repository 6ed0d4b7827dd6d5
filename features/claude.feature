# language: fr
@parcours @ph @claude
Fonctionnalité: Monsieur Claude — foyer de vie, séjour de vacances, fracture, SMR
  Avant un séjour adapté, l'infirmière du foyer de vie verse son DLU à jour au DMP et, avec l'accord de
  Monsieur Claude, le chef de service y ajoute son projet personnalisé et ses habitudes de vie. En
  vacances, il chute : aux urgences de Privas, son INS est qualifiée et l'infirmier lit le DMP ; le foyer
  prévient son médecin traitant. Après l'opération d'une fracture du col et un séjour en SMR, le médecin
  du SMR verse les documents de sortie au DMP et prévient le foyer, qui prépare son retour ; Monsieur
  Claude les retrouve dans Mon espace santé.

  Contexte:
    Étant donné le parcours de "Monsieur Claude" sur le banc socle-bench

  @dmp @insi
  Scénario: 1. Avant les vacances, le foyer verse au DMP le DLU, le projet personnalisé et les habitudes de vie
    Étant donné que l'INS de "Monsieur Claude" a été qualifiée par "l'infirmière du foyer de vie"
    Et que "Monsieur Claude" a donné son accord pour "le versement de son projet et de ses habitudes de vie au DMP"
    Quand "l'infirmière du foyer de vie" verse "le DLU, le projet personnalisé d'accompagnement et les habitudes de vie" de "Monsieur Claude" au DMP
    Alors "le DLU, le projet personnalisé d'accompagnement et les habitudes de vie" de "Monsieur Claude" ont été versés au DMP
    Et les échanges avec le service "DMP" sont conformes

  Scénario: 2. En vacances, il chute ; les organisateurs l'emmènent aux urgences et appellent le foyer, hors socle
    Quand hors socle, "Monsieur Claude" est conduit aux urgences par l'équipe du séjour, qui téléphone au foyer
    Alors aucun service socle n'a été appelé

  @insi @dmp @mss
  Scénario: 3. Aux urgences, l'INS est qualifiée et l'infirmier lit le DMP ; le foyer prévient le médecin traitant
    Étant donné que le DMP de "Monsieur Claude" contient "le DLU et les habitudes de vie" déposés par "l'infirmière du foyer de vie"
    Quand "l'infirmier d'accueil et d'orientation" consulte le DMP de "Monsieur Claude" avec son propre logiciel
    Alors le téléservice INSi a reçu les traits normalisés de "Monsieur Claude"
    Et "l'infirmier d'accueil et d'orientation" voit "le DLU et les habitudes de vie" dans le DMP de "Monsieur Claude"
    Quand "le chef de service du foyer de vie" envoie par MSSanté "le message d'information" de "Monsieur Claude" au "médecin traitant"
    Alors la boîte MSSanté du "médecin traitant" a reçu "le message d'information" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  Scénario: 4. Après l'opération, l'assistante sociale de l'hôpital trouve un lit de SMR, hors socle
    Quand hors socle, "le médecin du SMR" accepte l'admission proposée dans ViaTrajectoire
    Alors aucun service socle n'a été appelé

  @dmp @mss
  Scénario: 5. Le médecin du SMR verse les documents de sortie au DMP et prévient le foyer
    Quand "le médecin du SMR" verse "la liste des rendez-vous, l'ordonnance, l'ordonnance de soins infirmiers et la prescription de kinésithérapie" de "Monsieur Claude" au DMP avec son propre logiciel
    Et "le médecin du SMR" envoie par MSSanté "le message d'information" de "Monsieur Claude" au "foyer de vie Les Couteliers" avec son propre logiciel
    Alors "la liste des rendez-vous, l'ordonnance, l'ordonnance de soins infirmiers et la prescription de kinésithérapie" de "Monsieur Claude" ont été versés au DMP
    Et la boîte MSSanté du "foyer de vie Les Couteliers" a reçu "le message d'information" avec sa pièce jointe

  @dmp
  Scénario: 6. Le foyer prépare le retour avec le DMP ; Monsieur Claude lit ses documents dans Mon espace santé
    Étant donné que l'INS de "Monsieur Claude" a été qualifiée par "l'infirmière du foyer de vie"
    Et que le DMP de "Monsieur Claude" contient "les habitudes de vie" déposées par "l'infirmière du foyer de vie"
    Et que le DMP de "Monsieur Claude" contient "la liste des rendez-vous, l'ordonnance et la prescription de kinésithérapie" déposés par "le médecin du SMR"
    Quand "l'infirmière du foyer de vie" consulte le DMP de "Monsieur Claude"
    Alors "l'infirmière du foyer de vie" voit "la liste des rendez-vous, l'ordonnance et la prescription de kinésithérapie" dans le DMP de "Monsieur Claude"
    Quand "l'éducatrice spécialisée du foyer de vie" consulte le DMP de "Monsieur Claude"
    Alors "l'éducatrice spécialisée du foyer de vie" voit "les habitudes de vie" dans le DMP de "Monsieur Claude"
    Mais "l'éducatrice spécialisée du foyer de vie" ne voit pas "l'ordonnance" dans le DMP de "Monsieur Claude"
    Et "Monsieur Claude" voit "l'ordonnance et la liste des rendez-vous" dans Mon espace santé de "Monsieur Claude"
    Et les échanges avec le service "DMP" sont conformes
