# language: fr
@parcours @ph @lucas @lucas_dime
Fonctionnalité: Lucas, 5 ans (2/2) — du CAMSP au DIME
  La psychologue du CAMSP constate une déficience intellectuelle ; l'assistante sociale monte avec les
  parents le dossier MDPH. La notification d'orientation arrive dans Mon espace santé de Lucas, où ses
  parents la lisent, et dans la boîte de l'assistante sociale. Un DIME accepte (ViaTrajectoire, hors
  socle) ; à l'admission, il qualifie à son tour l'INS de Lucas et lit son DMP.

  Contexte:
    Étant donné le parcours de "Lucas" sur le banc socle-bench

  Scénario: 8. L'assistante sociale monte le dossier MDPH avec les parents, hors socle
    Quand hors socle, "l'assistante sociale du CAMSP" constitue le dossier MDPH avec les parents de Lucas
    Alors aucun service socle n'a été appelé

  @mss
  Scénario: 9. La notification MDPH arrive dans Mon espace santé de Lucas et chez l'assistante sociale
    Quand "la gestionnaire MDPH" envoie par MSSanté "la notification MDPH" de "Lucas" à "Lucas et l'assistante sociale du CAMSP" depuis la boîte de "la MDPH" avec son propre logiciel
    Alors les boîtes MSSanté de "Lucas et l'assistante sociale du CAMSP" ont reçu "la notification MDPH" avec leur pièce jointe
    Et "le père de Lucas" lit "la notification MDPH" dans la messagerie de Mon espace santé de "Lucas"

  @insi @dmp
  Scénario: 10. Le DIME accepte ; à l'admission, il qualifie l'INS de Lucas et lit son DMP
    Étant donné que hors socle, "le directeur du DIME" accepte l'orientation dans ViaTrajectoire
    Et que le DMP de "Lucas" contient "le compte rendu de consultation et le bilan orthophonique" déposés par "le pédiatre du CAMSP"
    Quand "la secrétaire du DIME" qualifie l'INS de "Lucas" avec sa pièce d'identité
    Alors le statut de l'INS de "Lucas" est "qualifiée"
    Quand "le médecin du DIME" consulte le DMP de "Lucas"
    Alors "le médecin du DIME" voit "le compte rendu de consultation et le bilan orthophonique" dans le DMP de "Lucas"
    Et les échanges avec le service "INSi" sont conformes
    Et les échanges avec le service "DMP" sont conformes
