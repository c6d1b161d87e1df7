from rest_framework import authentication
from rest_framework.authentication import TokenAuthentication

from config.api.exceptions import CsrfFailed


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` (and DRF's `Token <token>`); 401s advertise Bearer."""

    keywords = ("bearer", "token")
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        parts = header.split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            self._invalid()
        return self.authenticate_credentials(parts[1])

    def _invalid(self):
        from rest_framework.exceptions import AuthenticationFailed

        raise AuthenticationFailed("Invalid token header.")

    def authenticate_header(self, request):
        return "Bearer"


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication; a failed CSRF check is 403 `csrf_failed` (not the generic
    `not_privileged`: the user may well have the permission) with a message saying what a
    session-authenticated write must send."""

    def enforce_csrf(self, request):
        check = authentication.CSRFCheck(lambda request: None)
        check.process_request(request)  # reads the CSRF cookie into request.META
        reason = check.process_view(request, None, (), {})
        if reason:
            raise CsrfFailed(
                f"CSRF check failed: {reason} A write authenticated by the session cookie must "
                "send the value of the csrftoken cookie in the X-CSRFToken header (or "
                "authenticate with Authorization: Bearer <token>, which needs no CSRF token)."
            )
