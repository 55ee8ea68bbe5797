"""The JSON API: one NinjaAPI at /api/, OpenAPI at /api/openapi.json, docs at /api/docs.

Authentication: the browser session (with CSRF) or a bearer token (`Authorization: Bearer ms_…`).
Every error has one shape: ``{"code": ..., "message": ..., "fields": {...}}``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from minsheng.core.errors import DomainError
from minsheng.core.schemas import Error

log = logging.getLogger("minsheng.api")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ms_…`. A token call needs no CSRF token: a browser never adds this header to a
    cross-site request by itself."""

    def authenticate(self, request: HttpRequest, token: str):
        from minsheng.core.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


def _has_bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


class SessionAuth(APIKeyCookie):
    """The Django session, with CSRF checked on unsafe methods — only when the session is what
    authenticates the call. A call with a bearer token, or with no session at all, is left to `TokenAuth`
    (ninja's own cookie check would refuse it with "CSRF check Failed" before the token is tried)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        if _has_bearer(request):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        if key is None:
            return None
        return request.user


# Every operation may answer these; each is declared in the OpenAPI with the one error shape.
ERROR_RESPONSES = {
    400: "Bad request: the body is not what this endpoint reads (JSON), or too large",
    401: "Not signed in, or the API token is unknown, revoked or expired",
    403: "The caller may not do this (role, object, or CSRF for a session call)",
    404: "No such object, or not one the caller may see",
    409: "The object's state does not allow this, or someone changed it first",
    422: "Invalid input; `fields` names each field and the reason",
}


class MinshengAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = Error.model_json_schema(ref_template="#/components/schemas/{model}")
        ref = {"$ref": "#/components/schemas/Error"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(str(status), responses.pop(status, None) or {
                        "description": description, "content": {"application/json": {"schema": ref}},
                    })
        return schema


api = MinshengAPI(
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
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":
        return _error(request, 403, "csrf_failed", "A signed-in browser session must send its CSRF token "
                      "(X-CSRFToken header); a program should use a bearer token instead.")
    if exc.status_code == 400:  # ninja's only 400: a body it cannot parse
        return _error(request, 400, "bad_body", f"The request body could not be read as JSON ({exc}).")
    code = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
            429: "too_many_requests"}.get(exc.status_code, "http_error")
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(OverflowError)
def on_overflow(request, exc):
    # A number beyond what the database stores (an id ≥ 2^63 in a path or query) — not a server fault.
    return _error(request, 422, "out_of_range", "A number in the request is out of range.")


@api.exception_handler(RawPostDataException)
def on_raw_post_data(request, exc):
    # A multipart or form body sent to an endpoint that reads JSON: Django has consumed the stream.
    return _error(request, 400, "bad_body", "This endpoint reads a JSON body (Content-Type: application/json).")


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request, exc):
    return _error(request, 400, "bad_body", f"The multipart body could not be read ({exc}).")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 400, "body_too_large", "The request body is larger than the server accepts.")


@api.exception_handler(DataError)
def on_data_error(request, exc):
    # A value longer than its column or otherwise unstorable (PostgreSQL refuses what SQLite keeps): the
    # service's transaction has rolled back; the caller sent something the schema should have refused.
    log.warning("API data error on %s %s: %s", request.method, request.path, exc)
    return _error(request, 422, "invalid", "A value is too long or cannot be stored.")


@api.exception_handler(Exception)
def on_server_error(request, exc):
    log.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return _error(request, 500, "server_error", "The server failed to answer; the error has been logged.")


from minsheng.core.api import router as core_router  # noqa: E402
from minsheng.hotline.api import router as hotline_router  # noqa: E402
from minsheng.proposals.api import router as proposals_router  # noqa: E402
from minsheng.supervision.api import router as supervision_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/", proposals_router)
api.add_router("/hotline/", hotline_router)
api.add_router("/supervision/", supervision_router)
