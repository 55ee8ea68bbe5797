"""Who may do what with proposals (django-rules predicates).

The office (staff) reviews, assigns and supervises; leaders read everything and record instructions; a
member drafts and sees their own proposals; a unit handler sees only proposals with a handling record
for their unit, and acts only on that record.
"""

from __future__ import annotations

import rules

from minsheng.core.rules import is_leader, is_office, is_staff_role, is_superuser, is_unit_handler

is_office_staff = is_superuser | is_staff_role


@rules.predicate
def is_proposal_creator(user, proposal) -> bool:
    return proposal is not None and user.is_authenticated and proposal.created_by_id == user.pk


@rules.predicate
def is_proposer(user, proposal) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    member = getattr(user, "member", None)
    return member is not None and proposal.proposers.filter(member=member).exists()


@rules.predicate
def is_first_proposer(user, proposal) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    return proposal.proposers.filter(member__user=user, is_first=True).exists()


@rules.predicate
def unit_handles_proposal(user, proposal) -> bool:
    if proposal is None or not is_unit_handler(user):
        return False
    return proposal.handlings.filter(unit_id=user.unit_id).exclude(status="reassigned").exists()


@rules.predicate
def is_handler_of(user, handling) -> bool:
    return handling is not None and is_unit_handler(user) and handling.unit_id == user.unit_id


rules.add_perm("proposals.view_proposal", is_office | is_proposal_creator | is_proposer | unit_handles_proposal)
rules.add_perm("proposals.edit_proposal", is_proposal_creator | is_first_proposer | is_office_staff)
rules.add_perm("proposals.manage_proposals", is_office_staff)
rules.add_perm("proposals.record_instruction", is_office_staff | is_leader)
rules.add_perm("proposals.act_on_handling", is_handler_of)
rules.add_perm("proposals.view_statistics", is_office)
rules.add_perm("proposals.attach_proposal", is_proposal_creator | is_office_staff)
