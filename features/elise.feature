# language: fr
@parcours @pde @elise
Fonctionnalité: Élise, 15 ans — danger imminent, placement judiciaire en MECS
  L'infirmière scolaire informe la CRIP ; le rapport au juge part hors MSSanté, la Justice n'étant
  pas dans l'espace de confiance. L'ASE cherche une MECS dans le ROR, Élise y est accueillie, son INS
  est qualifiée, les professionnels lisent son DMP selon la matrice d'habilitation, son projet
  personnalisé y est versé, et son ordonnance circule du médecin à la MECS et à la pharmacie.

  Contexte:
    Étant donné le parcours d'"Élise" sur le banc socle-bench

  @mss
  Scénario: 1. L'infirmière scolaire informe la CRIP par MSSanté
    Quand "l'infirmière scolaire" envoie par MSSanté "le formulaire de recueil d'information préoccupante" d'"Élise" à "la CRIP"
    Alors la boîte MSSanté de "la CRIP" a reçu "le formulaire de recueil d'information préoccupante" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 2. Le rapport au juge des enfants part par courriel ordinaire, hors de l'espace de confiance
    Quand "l'assistante sociale de la CRIP" transmet "le rapport au juge des enfants" d'"Élise" au "juge des enfants"
    Alors rien n'a été envoyé par MSSanté au domaine de la Justice
    Et l'opérateur MSSanté refuse un envoi de "l'assistante sociale de la CRIP" vers "le juge des enfants" dès la commande RCPT, sans avis de non-remise

  @mss
  Scénario: 3. Le responsable ASE transmet le rapport à son équipe ; une référente est nommée
    Quand "le responsable ASE" envoie par MSSanté "le rapport de situation" d'"Élise" à "l'assistante sociale référente ASE et l'éducateur ASE"
    Alors un seul message MSSanté a été envoyé, à "l'assistante sociale référente ASE et l'éducateur ASE"
    Et les boîtes MSSanté de "l'assistante sociale référente ASE et l'éducateur ASE" ont reçu "le rapport de situation" avec leur pièce jointe

  @ror @mss
  Scénario: 4. La référente cherche une MECS dans le ROR et adresse le rapport de situation aux candidates
    Quand "l'assistante sociale référente ASE" recherche dans le ROR une MECS à moins de 10 km du domicile d'"Élise", pour son âge, avec des places disponibles
    Alors le ROR propose "la MECS Les Tilleuls"
    Et le ROR ne propose pas "la MECS Le Phare, la MECS La Passerelle, la MECS L'Escale et la MECS Les Hirondelles"
    Et les échanges avec le service "ROR" sont conformes
    Quand "l'assistante sociale référente ASE" envoie par MSSanté "le rapport de situation" d'"Élise" à chaque établissement candidat
    Alors la boîte MSSanté de "la MECS Les Tilleuls" a reçu "le rapport de situation" avec sa pièce jointe

  @mss @insi
  Scénario: 5. La MECS répond oui par MSSanté ; à la rencontre, l'INS d'Élise est qualifiée
    Quand "la directrice de MECS" répond par MSSanté à "l'assistante sociale référente ASE" au sujet d'"Élise" : "Nous pouvons accueillir Élise"
    Alors la boîte MSSanté de "l'assistante sociale référente ASE" a reçu "la réponse à la demande d'admission"
    Quand "la secrétaire de MECS" qualifie l'INS d'"Élise" avec sa pièce d'identité
    Alors le téléservice INSi a reçu les traits normalisés d'"Élise"
    Et le statut de l'INS d'"Élise" est "qualifiée"
    Et les échanges avec le service "INSi" sont conformes

  @dmp @insi
  Scénario: 6. La psychologue et l'éducateur de la MECS lisent le DMP selon leurs habilitations
    Étant donné que l'INS d'"Élise" a été qualifiée par "la secrétaire de MECS"
    Et que le DMP d'"Élise" contient "le bilan psychologique, le bilan orthophonique et le bilan psychomoteur" déposés par "le médecin généraliste"
    Quand "la psychologue de MECS" consulte le DMP d'"Élise"
    Alors "la psychologue de MECS" voit "le bilan psychologique" dans le DMP d'"Élise"
    Quand "l'éducateur spécialisé de MECS" consulte le DMP d'"Élise"
    Alors "l'éducateur spécialisé de MECS" voit "le bilan orthophonique et le bilan psychomoteur" dans le DMP d'"Élise"
    Mais "l'éducateur spécialisé de MECS" ne voit pas "le bilan psychologique" dans le DMP d'"Élise"
    Et les échanges avec le service "DMP" sont conformes

  @dmp
  Scénario: 7. Le projet personnalisé d'Élise est versé à son DMP, avec son accord
    Étant donné que l'INS d'"Élise" a été qualifiée par "la secrétaire de MECS"
    Quand "la psychologue de MECS" verse "le projet personnalisé d'accompagnement" d'"Élise" au DMP
    Alors "le projet personnalisé d'accompagnement" d'"Élise" a été versé au DMP
    Quand "l'éducatrice spécialisée de MECS" consulte le DMP d'"Élise"
    Alors "l'éducatrice spécialisée de MECS" voit "le projet personnalisé d'accompagnement" dans le DMP d'"Élise"
    Quand "le pharmacien" consulte le DMP d'"Élise" avec son propre logiciel
    Alors "le pharmacien" ne voit pas "le projet personnalisé d'accompagnement" dans le DMP d'"Élise"
    Et les échanges avec le service "DMP" sont conformes

  @mss @dmp
  Scénario: 8. Rendez-vous chez le médecin ; l'ordonnance va au DMP et à la MECS
    Étant donné que l'INS d'"Élise" a été qualifiée par "la secrétaire de MECS"
    Quand "l'éducateur spécialisé de MECS" envoie par MSSanté "la demande de rendez-vous" d'"Élise" au "médecin généraliste"
    Alors la boîte MSSanté du "médecin généraliste" a reçu "la demande de rendez-vous" avec sa pièce jointe
    Quand "le médecin généraliste" verse "l'ordonnance" d'"Élise" au DMP avec son propre logiciel
    Et "le médecin généraliste" envoie par MSSanté "l'ordonnance" d'"Élise" à "la MECS Les Tilleuls" avec une archive XDM avec son propre logiciel
    Alors la boîte MSSanté de "la MECS Les Tilleuls" a reçu "l'ordonnance" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 9. À la MECS, l'équipe lit l'ordonnance dans la boîte MSSanté pour suivre le traitement
    Étant donné que l'INS d'"Élise" a été qualifiée par "la secrétaire de MECS"
    Et que "le médecin généraliste" envoie par MSSanté "l'ordonnance" d'"Élise" à "la MECS Les Tilleuls" avec une archive XDM avec son propre logiciel
    Quand "l'éducatrice spécialisée de MECS" relève la boîte MSSanté de "la MECS Les Tilleuls"
    Alors "l'éducatrice spécialisée de MECS" a relevé "l'ordonnance" dans la boîte MSSanté
    Et les échanges avec le service "MSSanté" sont conformes

  @dmp
  Scénario: 10. À la pharmacie, le pharmacien trouve l'ordonnance dans le DMP d'Élise
    Étant donné que l'INS d'"Élise" a été qualifiée par "la secrétaire de MECS"
    Et que le DMP d'"Élise" contient "l'ordonnance" déposés par "le médecin généraliste"
    Quand "le pharmacien" consulte le DMP d'"Élise" avec son propre logiciel
    Alors "le pharmacien" voit "l'ordonnance" dans le DMP d'"Élise"
