"""Who may do what with proposals (django-rules predicates).

The office (staff) reviews, assigns and supervises; leaders read every submitted proposal and record
instructions; a member drafts and sees their own proposals (a draft is its drafters' and invited co-signers'
until it is submitted); a unit handler sees only proposals with a handling record
for their unit, sees only that record (and, in joint handling, the lead's or the co-units' records) and
acts only on it. What may be seen is defined once, by the querysets in `selectors` (`visible_proposals`,
`visible_handlings`); the view rules ask them.
"""

from __future__ import annotations

import rules

from minsheng.core.rules import is_leader, is_office, is_staff_role, is_superuser, is_unit_handler

is_office_staff = is_superuser | is_staff_role


@rules.predicate
def is_proposal_creator(user, proposal) -> bool:
    return proposal is not None and user.is_authenticated and proposal.created_by_id == user.pk


@rules.predicate
def is_first_proposer(user, proposal) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    return proposal.proposers.filter(member__user=user, is_first=True).exists()


@rules.predicate
def is_handler_of(user, handling) -> bool:
    return handling is not None and is_unit_handler(user) and handling.unit_id == user.unit_id


@rules.predicate
def in_visible_proposals(user, proposal) -> bool:
    """The proposal is in `selectors.visible_proposals(user)`: the one answer to "may this user see it"."""
    if proposal is None or not user.is_authenticated:
        return False
    from .selectors import visible_proposals

    return visible_proposals(user).filter(pk=proposal.pk).exists()


@rules.predicate
def in_visible_handlings(user, handling) -> bool:
    """The record is in `selectors.visible_handlings(user)`: a unit handler sees its own unit's records and, in
    joint handling, its group's (lead ↔ co-units); not another unit's separate (分办) record."""
    if handling is None or not user.is_authenticated:
        return False
    from .selectors import visible_handlings

    return visible_handlings(user).filter(pk=handling.pk).exists()


@rules.predicate
def is_submitted(user, proposal) -> bool:
    return proposal is not None and proposal.status != "draft"


# The office sees every submitted proposal without a query; a draft only through `visible_proposals` (its
# drafters and invited co-signers; the office its own organisation drafts).
may_view = (is_office & is_submitted) | in_visible_proposals

rules.add_perm("proposals.view_proposal", may_view)
rules.add_perm("proposals.view_handling", is_office | in_visible_handlings)
rules.add_perm("proposals.edit_proposal", (is_proposal_creator | is_first_proposer | is_office_staff) & may_view)
rules.add_perm("proposals.manage_proposals", is_office_staff)
rules.add_perm("proposals.record_instruction", is_office_staff | is_leader)
rules.add_perm("proposals.act_on_handling", is_handler_of)
rules.add_perm("proposals.view_statistics", is_office)
rules.add_perm("proposals.attach_proposal", (is_proposal_creator | is_office_staff) & may_view)
