"""The JSON API: one NinjaAPI at /api/, OpenAPI at /api/openapi.json, docs at /api/docs.

Authentication: the browser session (with CSRF) or a bearer token (`Authorization: Bearer ms_…`).
Every error has one shape: ``{"code": ..., "message": ..., "fields": {...}}``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from minsheng.core.errors import DomainError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from minsheng.core.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The Django session, with CSRF checked on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api = NinjaAPI(
    title="Minsheng API",
    version="1.0",
    description="民生 — the people's-livelihood duty platform. Every write is a service call; every error has "
    "the shape {code, message, fields}.",
    auth=[SessionAuth(csrf=True), TokenAuth()],
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "fields": fields or {}}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        fields[".".join(loc) or "request"] = err.get("msg", "invalid")
    return _error(request, 422, "invalid", "The request has invalid fields: " + ", ".join(fields), fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "not_authenticated", "Sign in or send a valid API token.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


from minsheng.core.api import router as core_router  # noqa: E402
from minsheng.hotline.api import router as hotline_router  # noqa: E402
from minsheng.proposals.api import router as proposals_router  # noqa: E402
from minsheng.supervision.api import router as supervision_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/", proposals_router)
api.add_router("/hotline/", hotline_router)
api.add_router("/supervision/", supervision_router)
