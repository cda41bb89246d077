"""Demo quality assurance: notes of several kinds with a RAG rating and findings, and their actions.

Notes fall on services the council buys from (blocks, spot placements) and a few others nearby;
Regulation 44/45/40 notes only on children's homes. Some actions are done, some are due, and some are
overdue (due before today and not done), so the home screen's overdue list has content.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from broker_tui.services.demo._base import Seed, pick_weighted
from broker_tui.store.tables import BlockContract, Placement

HOME_KINDS = ("reg44", "reg45", "reg40", "visit_unannounced", "young_people_feedback")
ANY_KINDS = ("visit_announced", "desktop_review", "ofsted_report", "complaint", "contract_review")
FINDINGS = {
    "green": ("Good relationships between staff and young people; care plans up to date.",
              "Records well kept; staffing ratios met on the day of the visit.",
              "Young people said they feel safe and are listened to."),
    "amber": ("Staffing ratios met but agency use high; two missing-episode return interviews late.",
              "Care package hours partly delivered against the plan; invoices need reconciling.",
              "Education attendance below target for one young person; plan agreed."),
    "red": ("Staffing below the registered ratio on an unannounced visit; manager absent.",
            "Serious incident not notified within 24 hours; safeguarding referral made.",
            "Premises unsafe (fire door wedged open); immediate action required."),
}
ACTIONS = ("Send the updated staffing rota", "Share the missing-episode return interview records",
           "Provide evidence of the 1:1 hours delivered", "Submit the action plan after the Ofsted report",
           "Reconcile the invoices against the placement agreement", "Arrange a follow-up unannounced visit",
           "Complete the location risk assessment review")
OWNERS = ("Provider registered manager", "QA officer (commissioning)", "Contract manager", "Responsible individual")


def add_quality(seed: Seed) -> None:
    """Notes with actions on the services the council buys from and a few nearby homes, written through
    services.quality (the kind rules, the checks and the audit as a broker's notes): about half the past-due
    actions done, one cancelled, and one note corrected by a later one (the earlier leaves every count)."""
    from broker_tui.services.quality import (
        ActionInput,
        NoteInput,
        add_note_in,
        cancel_action_in,
        complete_action_in,
        supersede_in,
    )

    assert seed.ctx is not None
    ctx, session = seed.ctx, seed.session()
    p_t, b_t = Placement.__table__, BlockContract.__table__
    bought = {r[0] for r in seed.con.execute(select(p_t.c.service_id).where(p_t.c.end_date.is_(None)))}
    blocks = {r.service_id: r.reference for r in seed.con.execute(  # 16+ blocks: demo.sixteen_plus's own notes
        select(b_t.c.service_id, b_t.c.reference).where(b_t.c.for_16_plus.is_(False)))}
    targets = [s for s in seed.services if s["id"] in bought]
    home_region = seed.authorities.get(seed.home.la_code, {}).get("region_name")
    nearby = [s for s in seed.of_type("childrens_home_external", "supported_accommodation")
              if s["local_authority_code"] == seed.home.la_code and s["region"] == home_region and s["id"] not in bought]
    targets += nearby[:8]
    corrected = cancelled = False
    for i, s in enumerate(targets):
        rng = seed.rng("qa", s["ofsted_urn"] or s["name"])
        is_home = s["service_type"] in ("childrens_home_external", "childrens_home_in_house")
        for j in range(rng.randint(1, 2)):
            kind = rng.choice(HOME_KINDS + ANY_KINDS if is_home else ANY_KINDS)
            if s["id"] in blocks and j == 0:
                kind = "contract_review"
            rag = pick_weighted(rng, {"green": 50, "amber": 35, "red": 15})
            held = seed.days(-rng.randint(3, 240))
            block = blocks.get(s["id"]) if kind == "contract_review" else None
            actions, done_on = [], []
            for k in range(0 if rag == "green" and rng.random() < 0.6 else rng.randint(1, 3)):
                due = held + dt.timedelta(days=rng.randint(14, 60))
                done = None
                if due < seed.today and (i + k) % 3 != 0:
                    done = min(seed.today, due + dt.timedelta(days=rng.randint(-10, 5)))
                actions.append(ActionInput(rng.choice(ACTIONS), rng.choice(OWNERS), due))
                done_on.append(done)
            note = add_note_in(session, ctx, NoteInput(
                subject="block_contract" if block else "service", subject_id=block or str(s["id"]), kind=kind,
                held_on=held, rag=rag, findings=rng.choice(FINDINGS[rag]), author="QA officer (commissioning)",
                young_people_involved=kind == "visit_announced" and rng.random() < 0.4, actions=tuple(actions)))
            for action, done in zip(note.actions, done_on, strict=True):
                if done is not None:
                    complete_action_in(session, ctx, action.id, done)
                elif not cancelled and action.due_on > seed.today:
                    cancel_action_in(session, ctx, action.id, "Agreed at the contract review: no longer needed")
                    cancelled = True
            seed.counts["qa_note"] += 1
            seed.counts["qa_action"] += len(note.actions)
            if not corrected and rag == "amber" and not block:  # a note corrected after the provider replied
                supersede_in(session, ctx, note.id, NoteInput(
                    subject="service", subject_id=str(s["id"]), kind=kind, held_on=held, rag="green",
                    findings="Corrected after the provider's evidence: " + rng.choice(FINDINGS["green"]),
                    author="QA officer (commissioning)"))
                corrected = True
                seed.counts["qa_note"] += 1
    session.flush()
