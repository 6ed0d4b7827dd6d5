# language: fr
@parcours @pde @elliot
Fonctionnalité: Elliot, 14 ans — AEMO judiciaire
  L'infirmière scolaire a repéré un risque ; le juge des enfants ordonne une mesure d'AEMO.
  L'équipe du service AEMO se coordonne par MSSanté, l'identité d'Elliot est qualifiée, ses
  convocations partent à sa propre adresse Mon espace santé, et le rapport d'échéance, document
  éducatif, reste dans le DUI.

  Contexte:
    Étant donné le parcours d'"Elliot" sur le banc socle-bench

  @mss
  Scénario: 1. La cheffe de service AEMO transmet le jugement à son équipe par MSSanté
    Quand "la cheffe de service AEMO" envoie par MSSanté "le jugement en assistance éducative" d'"Elliot" aux "psychologue AEMO, éducateur spécialisé AEMO, assistante sociale AEMO et CESF AEMO"
    Alors un seul message MSSanté a été envoyé, aux "psychologue AEMO, éducateur spécialisé AEMO, assistante sociale AEMO et CESF AEMO"
    Et les boîtes MSSanté des "psychologue AEMO, éducateur spécialisé AEMO, assistante sociale AEMO et CESF AEMO" ont reçu "le jugement en assistance éducative" avec leur pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  Scénario: 2. L'éducateur téléphone aux parents pour fixer le premier rendez-vous
    Quand "l'éducateur spécialisé AEMO" téléphone aux parents d'Elliot pour fixer le premier rendez-vous
    Alors aucun service socle n'a été appelé

  @insi
  Scénario: 3. Au premier rendez-vous, la secrétaire qualifie l'INS d'Elliot
    Quand "la secrétaire AEMO" qualifie l'INS d'"Elliot" avec sa pièce d'identité
    Alors le téléservice INSi a reçu les traits normalisés d'"Elliot"
    Et le statut de l'INS d'"Elliot" est "qualifiée"
    Et les échanges avec le service "INSi" sont conformes

  @mss
  Scénario: 4. L'éducateur invite l'infirmière scolaire à une visioconférence depuis la messagerie sécurisée
    Quand "l'éducateur spécialisé AEMO" envoie par MSSanté "l'invitation à une visioconférence" d'"Elliot" à "l'infirmière scolaire"
    Alors la boîte MSSanté de "l'infirmière scolaire" a reçu "l'invitation à une visioconférence" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @mss @insi
  Scénario: 5. Les convocations partent à l'adresse Mon espace santé d'Elliot, construite depuis son INS qualifiée
    Étant donné que l'INS d'"Elliot" a été qualifiée par "la secrétaire AEMO"
    Quand "l'éducateur spécialisé AEMO" envoie par MSSanté "la convocation" d'"Elliot" à "Elliot"
    Alors le message a été adressé à l'adresse Mon espace santé d'"Elliot", construite depuis son INS qualifiée
    Et la boîte MSSanté d'"Elliot" a reçu "la convocation" avec sa pièce jointe
    Et les échanges avec le service "MSSanté" sont conformes

  @dmp
  Scénario: 6. Le rapport d'échéance est produit par le DUI et n'est pas versé au DMP
    Étant donné que l'INS d'"Elliot" a été qualifiée par "la secrétaire AEMO"
    Quand "l'éducateur spécialisé AEMO" rédige "le rapport d'échéance" d'"Elliot" dans le DUI
    Alors "le rapport d'échéance" d'"Elliot" reste dans le DUI et n'est pas versé au DMP
