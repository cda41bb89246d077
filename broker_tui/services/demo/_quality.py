"""Demo quality assurance: notes of several kinds with a RAG rating and findings, and their actions.

Notes fall on services the council buys from (blocks, spot placements) and a few others nearby;
Regulation 44/45/40 notes only on children's homes. Some actions are done, some are due, and some are
overdue (due before today and not done), so the home screen's overdue list has content.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from broker_tui.domain.ids import new_id
from broker_tui.services.demo._base import Seed, pick_weighted
from broker_tui.store.tables import BlockContract, Placement, QAAction, QANote

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
    p_t, b_t = Placement.__table__, BlockContract.__table__
    bought = {r[0] for r in seed.con.execute(select(p_t.c.service_id).where(p_t.c.end_date.is_(None)))}
    blocks = {r.service_id: r.id for r in seed.con.execute(select(b_t.c.service_id, b_t.c.id))}
    targets = [s for s in seed.services if s["id"] in bought]
    home_region = seed.authorities.get(seed.home.la_code, {}).get("region_name")
    nearby = [s for s in seed.of_type("childrens_home_external", "supported_accommodation")
              if s["local_authority_code"] == seed.home.la_code and s["region"] == home_region and s["id"] not in bought]
    targets += nearby[:8]
    notes, actions = [], []
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
            note = {"id": new_id(), "subject": "block_contract" if block else "service", "service_id": s["id"],
                    "block_contract_id": block, "kind": kind, "held_on": held, "rag": rag,
                    "findings": rng.choice(FINDINGS[rag]), "author": "QA officer (commissioning)",
                    "young_people_involved": kind == "visit_announced" and rng.random() < 0.4}
            notes.append(note)
            for k in range(0 if rag == "green" and rng.random() < 0.6 else rng.randint(1, 3)):
                due = held + dt.timedelta(days=rng.randint(14, 60))
                done = None
                if due < seed.today and (i + k) % 3 != 0:
                    done = min(seed.today, due + dt.timedelta(days=rng.randint(-10, 5)))
                owner = rng.choice(OWNERS)
                actions.append({"qa_note_id": note["id"], "description": rng.choice(ACTIONS), "owner": owner,
                                "due_on": due, "done_on": done, "status": "done" if done else "open",
                                "done_by": owner if done else ""})
    seed.insert(QANote, notes)
    seed.insert(QAAction, actions)
