"""Chinese by default: the language is the user's explicit choice (the language cookie set by the
switch), otherwise zh-hans — not the browser's Accept-Language, which on many office machines is English."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


_API_ERROR_CODES = {
    400: ("bad_request", "The request could not be read."),
    401: ("not_authenticated", "Sign in or send a valid API token."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "No such API path."),
    405: ("method_not_allowed", "This API path does not take this method."),
    413: ("body_too_large", "The request body is larger than the server accepts."),
    500: ("server_error", "The server failed to answer; the error has been logged."),
}


class ApiErrorShapeMiddleware:
    """Under /api/, every error is JSON in the one shape ``{code, message, fields}`` — also those made
    outside the API's own handlers (an unknown path, a method the path does not take, a body over the size
    limit, a server error), which Django would answer with its HTML error pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code >= 400 and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            import json

            from django.http import HttpResponse

            code, message = _API_ERROR_CODES.get(
                response.status_code, ("server_error" if response.status_code >= 500 else "http_error",
                                       response.reason_phrase))
            shaped = HttpResponse(json.dumps({"code": code, "message": message, "fields": {}}),
                                  status=response.status_code, content_type="application/json")
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every response (the platform uses no camera, microphone, location …), and
    pages for a signed-in person never stored by a browser's or a proxy's cache (`no-store`), unless a view
    set its own Cache-Control (static files are served by WhiteNoise before this)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.setdefault("Permissions-Policy", policy)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or request.COOKIES.get(settings.SESSION_COOKIE_NAME)) and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response


class NulCharacterMiddleware:
    """A NUL character (U+0000) in a query, a form field or a JSON body is refused before any view runs:
    PostgreSQL can neither store nor compare it, so it would reach the database as a server error. The API
    answers 422 in its error shape, pages 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._nul_field(request)
        if field is not None:
            import json

            from django.http import HttpResponse, HttpResponseBadRequest

            if request.path.startswith("/api/"):
                body = {"code": "invalid", "message": f"{field} contains the NUL character.", "fields": {field: "nul"}}
                return HttpResponse(json.dumps(body), status=422, content_type="application/json")
            return HttpResponseBadRequest(f"{field} contains the NUL character.")
        return self.get_response(request)

    @staticmethod
    def _nul_field(request) -> str | None:
        if "\x00" in request.path:
            return "path"
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "") or "query"
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith("application/json"):
            try:
                body = request.body
            except Exception:  # too large and the like: left to the view's own handling
                return None
            if b"\\u0000" in body or b"\x00" in body:
                return "body"
        elif request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
            for key, values in request.POST.lists():
                if any("\x00" in v for v in values):
                    return key
        return None
