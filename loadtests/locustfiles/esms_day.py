"""Profile "esms-day": the socle traffic of a child-protection establishment's working day.

The establishment is a MECS / foyer de l'enfance of about 60 children with its care unit, its
social workers and its secretariat. Over a day (observed ratios of such an ESMS, compressed for
load: one locust user is one workstation, whose person acts every 2 to 10 s instead of every few
minutes):

- MSSanté, 40 % of the workstations: the secretariat and the educators' DUI poll the mailboxes
  every few minutes and send reports (ASE, CMP, hospital, PMI) with an IHE_XDM.zip — the busiest
  service, two sends for one poll.
- DMP, 25 %: before each medical or psychological consultation the nurse searches the child's DMP
  (ITI-18) and opens some documents (ITI-43); health reports are fed after it (ITI-41): three
  searches and two retrievals for one feed.
- INSi, 20 %: admissions and the identity-vigilance referent's checks — traits lookups (with the
  CR 02 retries) and unit verifications, four lookups for one verification.
- ROR, 15 %: the orientation team looks for places (MECS, CAMSP, ITEP) near the child's family.

    socle-bench load --profile esms-day --users 200 --duration 2m
"""

from __future__ import annotations

from locust import between

from loadtests.users import dmp, ins, mss, ror

THINK_TIME = between(2, 10)  # seconds between two actions of one workstation


class EsmsMailStation(mss.MssUser):
    weight = 40
    wait_time = THINK_TIME


class EsmsCareStation(dmp.DmpUser):
    weight = 25
    wait_time = THINK_TIME


class EsmsIdentityStation(ins.InsUser):
    weight = 20
    wait_time = THINK_TIME


class EsmsOrientationStation(ror.RorUser):
    weight = 15
    wait_time = THINK_TIME
