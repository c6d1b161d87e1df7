from rest_framework.authentication import TokenAuthentication


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
