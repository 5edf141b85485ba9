"""A world for the manager's overview (issue 16 §4), relative to ``today``: answers on time, late
after an extension, late without one, corrected after the deadline; bodies overdue today, due in
0, 3, 7 and 8 days; a closed round and a draft. Built with the factories and the models'
own moves (send, grant_extension, submit, reopen, close).

T = today. Rounds (all open unless said):

  R1 Handlingsplan   sent T-60, deadline T-20: Centrum on time (T-25, corrected T-5),
                     Polisen late 3 days after an extension to T-10 (T-7), Nordost late 5 days
                     (T-15), Kriminalvården overdue 2 days after an extension to T-2
  R2 Riktlinje       sent T-30, deadline T-1: Kriminalvården and the "=HYPERLINK" company
                     overdue 1 day, Kulturnämnden extended to T+3 with a draft, Centrum on time (T-1)
  R5 Svar i dag      sent T-40, deadline T: Nordost due today
  R3 Kulturplan      sent T-10, deadline T+7: Kulturnämnden and Polisen due in 7 days, Nordost
                     answered (T-2)
  R4 Program         sent T-5, deadline T+8: Centrum and the company, due in 8 days (not this week)
  R6 Gammal remiss   sent T-400, deadline T-370, closed: Polisen late 10 days (T-360),
                     Kulturnämnden never answered
  R7 Utkast          a draft to Centrum and Kriminalvården: received by nobody yet
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from remiss.answers.models import Answer, Channel, Position
from remiss.auth.models import Role
from remiss.core.time import LOCAL_TZ
from remiss.extensions import db
from remiss.organisations.models import OrganisationKind
from tests.factories import make_organisation, make_round, make_user, send

CENTRUM = "Socialnämnden Centrum"
NORDOST = "Socialnämnden Nordost"
POLISEN = "Polismyndigheten Storgöteborg"
KRIM = "Kriminalvården"
KULTUR = "Kulturnämnden"
COMPANY = '=HYPERLINK("http://example.com/x","Framtiden AB")'

SOCIAL = "Socialnämnderna"
AUTHORITIES = "Statliga myndigheter"
COMPANIES = "Bolag"


def _answer(recipient, received_on: date, by=None) -> None:
    """An answer registered as received by e-mail on ``received_on``."""
    if recipient.answer is None:
        recipient.answer = Answer()
    draft = recipient.answer.start_draft(by=by)
    draft.position = Position.ASSENT
    recipient.answer.submit(
        by=by,
        channel=Channel.EMAIL,
        received_on=received_on,
        now=datetime.combine(received_on, time(12), LOCAL_TZ),
    )


def _round(officer, title: str, dnr: str, sent: int, deadline: int, bodies, today: date):
    round_ = make_round(
        officer,
        title=title,
        dnr=dnr,
        sent_on=today + timedelta(days=sent),
        deadline=today + timedelta(days=deadline),
        recipients=bodies,
    )
    send(round_)
    return round_


def build(today: date) -> dict:
    """The world; returns the ids of rounds (``R1`` …) and bodies (by name)."""
    officer = make_user(Role.OFFICER, email="olle@example.se", name="Olle Officer")
    bodies = {
        CENTRUM: make_organisation(CENTRUM, group=SOCIAL),
        NORDOST: make_organisation(NORDOST, group=SOCIAL),
        POLISEN: make_organisation(POLISEN, kind=OrganisationKind.AUTHORITY, group=AUTHORITIES),
        KRIM: make_organisation(KRIM, kind=OrganisationKind.AUTHORITY, group=AUTHORITIES),
        KULTUR: make_organisation(KULTUR),
        COMPANY: make_organisation(
            COMPANY, short_name="Framtiden", kind=OrganisationKind.COMPANY, group=COMPANIES
        ),
    }
    day = lambda n: today + timedelta(days=n)  # noqa: E731

    r1 = _round(
        officer,
        "Handlingsplan mot nyrekrytering",
        "1668/20",
        -60,
        -20,
        [CENTRUM, POLISEN, NORDOST, KRIM],
        today,
    )
    centrum, polisen, nordost, krim = (
        r1.recipient_for(bodies[n].id) for n in (CENTRUM, POLISEN, NORDOST, KRIM)
    )
    _answer(centrum, day(-25))
    centrum.answer.reopen(by=None, reason="Fel paragraf")
    _answer(centrum, day(-5))  # the correction, after the deadline: the answer stays on time
    polisen.grant_extension(day(-10), "Nämndmöte")
    _answer(polisen, day(-7))
    _answer(nordost, day(-15))
    krim.grant_extension(day(-2), "Sjukdom")

    r2 = _round(
        officer, "Riktlinje för avhoppare", "1370/21", -30, -1, [KRIM, KULTUR, CENTRUM, COMPANY], today
    )
    kultur = r2.recipient_for(bodies[KULTUR].id)
    kultur.grant_extension(day(3), "Nämndmöte")
    kultur.answer = Answer()
    kultur.answer.start_draft()
    _answer(r2.recipient_for(bodies[CENTRUM].id), day(-1))

    r5 = _round(officer, "Svar i dag", "1111/26", -40, 0, [NORDOST], today)
    r3 = _round(officer, "Kulturplan", "2222/26", -10, 7, [KULTUR, POLISEN, NORDOST], today)
    _answer(r3.recipient_for(bodies[NORDOST].id), day(-2))
    r4 = _round(officer, "Program för idrott", "3333/26", -5, 8, [CENTRUM, COMPANY], today)

    r6 = _round(officer, "Gammal remiss", "0101/25", -400, -370, [POLISEN, KULTUR], today)
    _answer(r6.recipient_for(bodies[POLISEN].id), day(-360))
    r6.close(now=datetime.combine(day(-350), time(9), LOCAL_TZ))

    r7 = make_round(
        officer, title="Utkast till plan", dnr="4444/26", recipients=[bodies[CENTRUM], bodies[KRIM]]
    )
    db.session.commit()
    ids = {"R1": r1.id, "R2": r2.id, "R3": r3.id, "R4": r4.id, "R5": r5.id, "R6": r6.id, "R7": r7.id}
    ids.update({name: organisation.id for name, organisation in bodies.items()})
    return ids
