# language: fr
@parcours @ph @lucas @lucas_camsp
Fonctionnalité: Lucas, 3 ans (1/2) — de la PMI au CAMSP
  Le médecin de PMI constate un retard global de développement ; elle cherche dans le ROR le CAMSP le plus
  proche qui a de la place pour son âge et lui demande de prendre le relais. Au CAMSP, la secrétaire
  qualifie l'INS de Lucas, le pédiatre verse son compte rendu et ses prescriptions au DMP, que les parents
  lisent dans Mon espace santé. L'orthophoniste renvoie son bilan au CAMSP et aux parents ; un examen
  génétique est demandé au centre hospitalier, qui qualifie l'INS à son tour ; l'éducatrice de jeunes
  enfants informe la crèche et les parents sont invités à la révision du projet en visioconférence.

  Contexte:
    Étant donné le parcours de "Lucas" sur le banc socle-bench

  @ror @mss
  Scénario: 1. Le médecin de PMI cherche le CAMSP le plus proche et lui demande de prendre le relais
    Quand "le médecin de PMI" recherche dans le ROR "un CAMSP" à moins de 15 km du domicile de "Lucas", pour son âge, avec des places disponibles
    Alors le ROR propose "le CAMSP de Bondy"
    Et le ROR ne propose pas "le CAMSP de Saint-Denis"
    Et les résultats du ROR sont classés du plus proche au plus lointain, avec leur distance
    Et les échanges avec le service "ROR" sont conformes
    Quand "le médecin de PMI" envoie par MSSanté "la demande de prise en charge" de "Lucas" au "CAMSP de Bondy"
    Alors la boîte MSSanté du "CAMSP de Bondy" a reçu "la demande de prise en charge" avec sa pièce jointe

  @mss
  Scénario: 2. Le médecin de PMI adresse le dossier de Lucas au CAMSP, qui l'admet
    Quand "le médecin de PMI" envoie par MSSanté "le dossier d'admission" de "Lucas" au "pédiatre du CAMSP"
    Alors la boîte MSSanté du "pédiatre du CAMSP" a reçu "le dossier d'admission" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @insi @dmp
  Scénario: 3. La secrétaire qualifie l'INS ; le compte rendu et les prescriptions vont au DMP ; les parents les lisent
    Quand "la secrétaire du CAMSP" qualifie l'INS de "Lucas" avec sa pièce d'identité
    Alors le statut de l'INS de "Lucas" est "qualifiée"
    Quand "le pédiatre du CAMSP" verse "le compte rendu de consultation et l'ordonnance" de "Lucas" au DMP, avec l'accord des parents
    Alors "le compte rendu de consultation et l'ordonnance" de "Lucas" ont été versés au DMP
    Et "la mère de Lucas" voit "le compte rendu de consultation et l'ordonnance" dans Mon espace santé de "Lucas"
    Et les échanges avec le service "INSi" sont conformes
    Et les échanges avec le service "DMP" sont conformes

  @dmp @mss
  Scénario: 4. Le pédiatre lit le DMP et informe le psychomotricien, la psychologue et l'éducatrice de jeunes enfants
    Étant donné que l'INS de "Lucas" a été qualifiée par "la secrétaire du CAMSP"
    Et que le DMP de "Lucas" contient "le compte rendu de consultation" déposé par "le pédiatre du CAMSP"
    Quand "le pédiatre du CAMSP" consulte le DMP de "Lucas"
    Alors "le pédiatre du CAMSP" voit "le compte rendu de consultation" dans le DMP de "Lucas"
    Quand "le pédiatre du CAMSP" envoie par MSSanté "le compte rendu de consultation" de "Lucas" au "psychomotricien du CAMSP, psychologue du CAMSP et éducatrice de jeunes enfants du CAMSP"
    Alors un seul message MSSanté a été envoyé, au "psychomotricien du CAMSP, psychologue du CAMSP et éducatrice de jeunes enfants du CAMSP"
    Et les échanges avec le service "MSSanté" sont conformes

  @mss
  Scénario: 5. L'orthophoniste reçoit prescription et compte rendu, renvoie son bilan au CAMSP et aux parents
    Étant donné que l'INS de "Lucas" a été qualifiée par "la secrétaire du CAMSP"
    Quand "le pédiatre du CAMSP" envoie par MSSanté "l'ordonnance et le compte rendu de consultation" de "Lucas" à "l'orthophoniste"
    Et "l'orthophoniste" envoie par MSSanté "le bilan orthophonique" de "Lucas" au "CAMSP de Bondy" avec son propre logiciel
    Et "l'orthophoniste" envoie par MSSanté "le bilan orthophonique" de "Lucas" à "Lucas" avec son propre logiciel
    Alors la boîte MSSanté de "l'orthophoniste" a reçu "l'ordonnance" avec ses pièces jointes
    Et les boîtes MSSanté du "CAMSP de Bondy et Lucas" ont reçu "le bilan orthophonique" avec leur pièce jointe
    Et "la mère de Lucas" lit "le bilan orthophonique" dans la messagerie de Mon espace santé de "Lucas"

  @mss @insi @dmp
  Scénario: 6. Un examen génétique est demandé au centre hospitalier, qui qualifie l'INS, lit le DMP et y verse son compte rendu
    Quand "le pédiatre du CAMSP" envoie par MSSanté "la demande d'examen génétique" de "Lucas" au "généticien du CH"
    Alors la boîte MSSanté du "généticien du CH" a reçu "la demande d'examen génétique" avec sa pièce jointe
    Quand "le généticien du CH" consulte le DMP de "Lucas" avec son propre logiciel
    Et "le généticien du CH" verse "le compte rendu d'examen génétique" de "Lucas" au DMP avec son propre logiciel
    Alors le téléservice INSi a reçu les traits normalisés de "Lucas"
    Et "le compte rendu d'examen génétique" de "Lucas" a été versé au DMP
    Quand "le pédiatre du CAMSP" consulte le DMP de "Lucas"
    Alors "le pédiatre du CAMSP" voit "le compte rendu d'examen génétique" dans le DMP de "Lucas"

  @mss
  Scénario: 7. L'éducatrice de jeunes enfants informe la crèche ; les parents sont invités à la révision du projet
    Étant donné que l'INS de "Lucas" a été qualifiée par "la secrétaire du CAMSP"
    Quand "l'éducatrice de jeunes enfants du CAMSP" envoie par MSSanté "le message d'information" de "Lucas" à "la directrice de la crèche"
    Et "le pédiatre du CAMSP" envoie par MSSanté "l'invitation à une visioconférence" de "Lucas" à "Lucas"
    Alors la boîte MSSanté de "la directrice de la crèche" a reçu "le message d'information" avec sa pièce jointe
    Et la boîte MSSanté de "Lucas" a reçu "l'invitation à une visioconférence" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes
