"""Who may do what in the supervision (django-rules predicates).

Staff plan the year, form groups and enter list items; a member signs up, and a group member logs
activities, submits opinions and links the proposals they put forward themselves (staff link any); only
the owner unit's handlers (or staff) report progress on an item; leaders and everyone signed in read.
"""

from __future__ import annotations

import rules

from minsheng.core.rules import is_member, is_office, is_staff_role, is_superuser, is_unit_handler

is_office_staff = is_superuser | is_staff_role


@rules.predicate
def owns_item(user, item) -> bool:
    return item is not None and is_unit_handler(user) and item.owner_id == user.unit_id


@rules.predicate
def in_group_of(user, problem) -> bool:
    member = getattr(user, "member", None) if user.is_authenticated and hasattr(user, "member") else None
    if problem is None or member is None:
        return False
    return problem.__class__.objects.filter(pk=problem.pk, group__memberships__member=member).exists()


@rules.predicate
def in_group_of_link(user, link) -> bool:
    return link is not None and in_group_of(user, link.problem)


@rules.predicate
def proposes(user, link) -> bool:
    """The user's member record is among the proposers of the link's proposal (first or co-signer)."""
    member = getattr(user, "member", None) if user.is_authenticated and hasattr(user, "member") else None
    return link is not None and member is not None and link.proposal.proposers.filter(member=member).exists()


@rules.predicate
def linked_it(user, link) -> bool:
    return link is not None and user.is_authenticated and link.linked_by_id == user.pk


rules.add_perm("supervision.view", rules.is_authenticated)
rules.add_perm("supervision.view_overview", is_office)
rules.add_perm("supervision.manage", is_office_staff)
rules.add_perm("supervision.join_group", is_member)
rules.add_perm("supervision.update_item", owns_item | is_office_staff)
rules.add_perm("supervision.contribute", in_group_of | is_office_staff)
# `link` is a ProblemProposal (unsaved when linking): staff link any proposal; a group member (the convener
# included) links only a proposal they are a proposer of; staff or whoever linked it may unlink.
rules.add_perm("supervision.link_proposal", is_office_staff | (in_group_of_link & proposes))
rules.add_perm("supervision.unlink_proposal", is_office_staff | linked_it)
