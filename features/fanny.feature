# language: fr
@parcours @pde @fanny
Fonctionnalité: Fanny, 8 ans — information préoccupante, évaluation, puis AEMO
  Une ergothérapeute qui suit la famille remarque des signes de négligence parentale.
  L'information préoccupante circule par MSSanté de la CRIP au service local de solidarité,
  l'identité de Fanny est qualifiée, son DMP est consulté selon la matrice d'habilitation,
  et la Justice, hors de l'espace de confiance MSSanté, est informée autrement.

  Contexte:
    Étant donné le parcours de "Fanny" sur le banc socle-bench

  @mss @annuaire
  Scénario: 1. L'ergothérapeute adresse l'information préoccupante à la CRIP par MSSanté
    Quand "l'ergothérapeute" recherche dans l'Annuaire santé la boîte de "la CRIP"
    Alors l'Annuaire santé a été interrogé et donne la boîte "crip@cd93.mssante.test"
    Quand "l'ergothérapeute" envoie par MSSanté "le formulaire de recueil d'information préoccupante" de "Fanny" à "la CRIP"
    Alors la boîte MSSanté de "la CRIP" a reçu "le formulaire de recueil d'information préoccupante" avec sa pièce jointe
    Et les échanges avec le service "Annuaire santé" sont conformes
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 2. La CRIP transmet le recueil d'information au service local de solidarité
    Quand "l'évaluatrice de la CRIP" envoie par MSSanté "le formulaire de recueil d'information préoccupante" de "Fanny" au "SLS"
    Alors la boîte MSSanté du "SLS" a reçu "le formulaire de recueil d'information préoccupante" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 3. La gestionnaire ASE prépare l'instance en un seul message à quatre destinataires
    Quand "la gestionnaire ASE" envoie par MSSanté "le rapport d'information préoccupante" de "Fanny" aux "psychologue, médecin de PMI, responsable ASE et responsable du SLS"
    Alors un seul message MSSanté a été envoyé, aux "psychologue, médecin de PMI, responsable ASE et responsable du SLS"
    Et les boîtes MSSanté des "psychologue, médecin de PMI, responsable ASE et responsable du SLS" ont reçu "le rapport d'information préoccupante" avec leur pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 4. Le rapport d'IP est adressé à l'assistante sociale et à la puéricultrice désignées
    Quand "la responsable du SLS" envoie par MSSanté "le rapport d'information préoccupante" de "Fanny" à "l'assistante sociale du SLS et l'infirmière puéricultrice de PMI"
    Alors les boîtes MSSanté de "l'assistante sociale du SLS et l'infirmière puéricultrice de PMI" ont reçu "le rapport d'information préoccupante" avec leur pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @insi
  Scénario: 5. La secrétaire du SLS qualifie l'INS de Fanny sur présentation de sa pièce d'identité
    Quand "la secrétaire du SLS" qualifie l'INS de "Fanny" avec sa pièce d'identité
    Alors le téléservice INSi a reçu les traits normalisés de "Fanny"
    Et le statut de l'INS de "Fanny" est "qualifiée"
    Et les échanges avec le service "INSi" sont conformes

  @dmp @insi
  Scénario: 6. La puéricultrice et l'assistante sociale consultent le DMP de Fanny selon leurs habilitations
    Étant donné que l'INS de "Fanny" a été qualifiée par "la secrétaire du SLS"
    Et que le DMP de "Fanny" contient "le bilan de santé et de prévention et l'autorisation de soins et actes non usuels" déposés par "le médecin de PMI"
    Quand "l'infirmière puéricultrice de PMI" consulte le DMP de "Fanny"
    Alors "l'infirmière puéricultrice de PMI" voit "le bilan de santé et de prévention" dans le DMP de "Fanny"
    Quand "l'assistante sociale du SLS" consulte le DMP de "Fanny"
    Alors "l'assistante sociale du SLS" voit "l'autorisation de soins et actes non usuels" dans le DMP de "Fanny"
    Mais "l'assistante sociale du SLS" ne voit pas "le bilan de santé et de prévention" dans le DMP de "Fanny"
    Et les échanges avec le service "DMP" sont conformes

  @mss
  Scénario: 7. Pendant la visite à domicile, les professionnelles s'envoient des photos par MSSanté, sans XDM
    Quand "l'infirmière puéricultrice de PMI" envoie par MSSanté "la photographie" de "Fanny" à "l'assistante sociale du SLS"
    Et "l'assistante sociale du SLS" envoie par MSSanté "la photographie" de "Fanny" à "l'infirmière puéricultrice de PMI"
    Alors les boîtes MSSanté de "l'assistante sociale du SLS et l'infirmière puéricultrice de PMI" ont reçu "la photographie" avec leur pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 8. La famille refuse l'aide éducative : le juge est informé hors MSSanté
    Quand "l'assistante sociale du SLS" transmet "le rapport d'évaluation sociale" de "Fanny" au "juge des enfants"
    Alors rien n'a été envoyé par MSSanté au domaine de la Justice
