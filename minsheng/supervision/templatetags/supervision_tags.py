"""Template tags other apps' pages use to show 每月一题 links without their views knowing about them."""

from __future__ import annotations

from django import template

from minsheng.supervision import selectors

register = template.Library()


@register.inclusion_tag("supervision/_proposal_problems.html")
def proposal_problems(proposal) -> dict:
    """A card listing the 每月一题 problems a proposal is linked to (nothing when there are none); one query."""
    return {"links": selectors.proposal_problems(proposal)}
