"""Sign-in protection: the client's address, and two lockout limits (django-axes).

- One username from one client: locked after ``AXES_FAILURE_LIMIT`` failures (5), as before.
- One client whatever the usernames: locked after ``AXES_CLIENT_FAILURE_LIMIT`` failures (20), so one
  password tried across many accounts is limited too.

The client's address is ``REMOTE_ADDR``; behind ``MINSHENG_PROXY_COUNT`` reverse proxies it is the address
that the outermost of them saw, read from the right of ``X-Forwarded-For`` — entries further left were
written by the client itself and are never trusted.
"""

from __future__ import annotations

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "MINSHENG_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < proxies:
        return remote
    candidate = chain[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LockoutHandler(AxesDatabaseHandler):
    """axes compares one failure count with one limit; here each lockout parameter set has its own limit
    (in the order of ``AXES_LOCKOUT_PARAMETERS``: username + client, then client alone)."""

    def get_failures(self, request, credentials=None) -> int:
        limits = [settings.AXES_FAILURE_LIMIT, settings.AXES_CLIENT_FAILURE_LIMIT]
        counts = [attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
                  for attempts in self.get_user_attempts(request, credentials)]
        if any(count >= limit for count, limit in zip(counts, limits, strict=False)):
            # Locked by one of the limits: report at least the limit axes compares with.
            return max(counts[0], settings.AXES_FAILURE_LIMIT)
        return counts[0] if counts else 0

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A successful sign-in clears that username's failures from this client only: were the client's
        # own count cleared too, signing in to one's own account now and then would lift the client limit.
        attempts = self.filter_user_attempts(request, credentials)
        return attempts[0].delete()[0] if attempts else 0
