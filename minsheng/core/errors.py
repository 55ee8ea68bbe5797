"""Domain errors with stable codes. One handler (`minsheng.api`) maps them to the JSON error shape
``{"code": ..., "message": ..., "fields": {...}}``; pages show the message. Tests assert codes."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal by a service: a stable `code`, a message for people, optional per-field reasons."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class Forbidden(DomainError):
    """The actor may not do this (HTTP 403)."""

    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class InvalidTransition(DomainError):
    """The object's current state does not allow this action (HTTP 409)."""

    code = "invalid_transition"
    status = 409


class Conflict(DomainError):
    """Someone else changed the object first (HTTP 409)."""

    code = "conflict"
    status = 409


class Invalid(DomainError):
    """Input failed validation; `fields` names each field and the reason (HTTP 422)."""

    code = "invalid"
    status = 422


# Codes used by core services.
ATTACHMENT_TOO_LARGE = "attachment_too_large"
ATTACHMENT_TYPE_REFUSED = "attachment_type_refused"
ATTACHMENT_EMPTY = "attachment_empty"
UNKNOWN_DEADLINE_RULE = "unknown_deadline_rule"
JOB_NOT_RUNNABLE = "job_not_runnable"
UNKNOWN_JOB_KIND = "unknown_job_kind"
NOTIFICATION_KIND_UNKNOWN = "notification_kind_unknown"
ACTION_ALWAYS_DELIVERED = "action_always_delivered"  # a to-do cannot be put in the digest or turned off
