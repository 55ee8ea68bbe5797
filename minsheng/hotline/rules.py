"""Permission predicates of the hotline app.

Staff and leaders see every ticket; a unit handler sees only the tickets dispatched to their unit; members
and district staff see aggregate rates only; anonymous visitors see nothing. Only staff import, edit
tickets and edit rule sets.
"""

from __future__ import annotations

import rules

from minsheng.core.rules import (
    is_district_staff,
    is_leader,
    is_member,
    is_office,
    is_staff_role,
    is_superuser,
    is_unit_handler,
)


@rules.predicate
def is_handler_of_ticket(user, ticket) -> bool:
    return ticket is not None and is_unit_handler(user) and ticket.unit_id == user.unit_id


can_see_tickets = is_office | is_unit_handler
can_see_rates = is_office | is_unit_handler | is_member | is_district_staff
can_import = is_superuser | is_staff_role

rules.add_perm("hotline.view_tickets", can_see_tickets)
rules.add_perm("hotline.view_ticket", is_office | is_handler_of_ticket)
rules.add_perm("hotline.view_rates", can_see_rates)
rules.add_perm("hotline.import_tickets", can_import)
rules.add_perm("hotline.manage_tickets", is_superuser | is_staff_role)
rules.add_perm("hotline.manage_rules", is_superuser | is_staff_role)
rules.add_perm("hotline.view_all", is_office)

__all__ = ["can_import", "can_see_rates", "can_see_tickets", "is_handler_of_ticket", "is_leader"]
