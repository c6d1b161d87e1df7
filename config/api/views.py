from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.exceptions import PROBLEM_CONTENT_TYPE, payload_too_large


class HealthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="health",
        responses={
            200: inline_serializer(
                "Health",
                {"status": serializers.CharField(), "database": serializers.CharField()},
            ),
            503: inline_serializer(
                "HealthDown",
                {"status": serializers.CharField(), "database": serializers.CharField()},
            ),
        },
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            return Response({"status": "error", "database": "unavailable"}, status=503)
        return Response({"status": "ok", "database": "ok"})


def _problem_json(status: int, code: str, title: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {
            "type": f"urn:problem:{code}",
            "title": title,
            "status": status,
            "detail": detail,
            "code": code,
        },
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """The API's catch-all. CSRF-exempt like every DRF view, so a write to a path that is no
    endpoint is this 404, not Django's HTML CSRF page (nothing here reads or changes data)."""
    return _problem_json(404, "not_found", "Not found", f"No API endpoint at {request.path}.")


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler400(request, exception=None):
    """Django's own 400s (a SuspiciousOperation raised outside a DRF view's exception handler:
    a body over DATA_UPLOAD_MAX_MEMORY_SIZE read by a middleware, a Host not in ALLOWED_HOSTS)
    are problem+json under /api/ too."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            exc = payload_too_large()
            return _problem_json(413, "payload_too_large", "Payload too large", str(exc.detail))
        return _problem_json(400, "bad_request", "Bad request", "The request could not be read.")
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return _problem_json(500, "server_error", "Server error", "An unexpected error occurred.")
    from django.views.defaults import server_error

    return server_error(request)
