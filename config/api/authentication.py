from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from rest_framework import authentication, exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from config.api.exceptions import CsrfFailed


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` (and DRF's `Token <token>`); 401s advertise Bearer.

    The token and its user are read with one plain SQL statement on every request (DRF's
    `select_related("user").get(key=…)`, without building the ORM query each time: that
    compilation was a tenth of a small list's time). Nothing is cached between requests, so a
    deleted token or a deactivated user is refused on the very next request."""

    keywords = ("bearer", "token")
    keyword = "Bearer"
    _sql: str | None = None  # built on first use, once the models are loaded
    _user_fields: tuple[str, ...] = ()
    _token_fields: tuple[str, ...] = ()
    _converters: tuple = ()  # (index, converters, column) as the ORM would apply them

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        parts = header.split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            self._invalid()
        return self.authenticate_credentials(parts[1])

    @classmethod
    def _statement(cls) -> str:
        if cls._sql is None:
            user_model = get_user_model()
            users = [f.attname for f in user_model._meta.concrete_fields]
            tokens = [f.attname for f in Token._meta.concrete_fields]
            columns = [f"u.{_quote(f.column)}" for f in user_model._meta.concrete_fields]
            columns += [f"t.{_quote(f.column)}" for f in Token._meta.concrete_fields]
            user_fk = Token._meta.get_field("user").column
            cls._user_fields, cls._token_fields = tuple(users), tuple(tokens)
            connection = connections[DEFAULT_DB_ALIAS]
            fields = [*user_model._meta.concrete_fields, *Token._meta.concrete_fields]
            converters = []
            for index, field in enumerate(fields):
                column = field.get_col(field.model._meta.db_table)
                found = connection.ops.get_db_converters(column) + field.get_db_converters(
                    connection
                )
                if found:
                    converters.append((index, tuple(found), column))
            cls._converters = tuple(converters)
            cls._sql = (
                f"SELECT {', '.join(columns)} FROM {_quote(Token._meta.db_table)} t"
                f" JOIN {_quote(user_model._meta.db_table)} u"
                f" ON u.{_quote(user_model._meta.pk.column)} = t.{_quote(user_fk)}"
                f" WHERE t.{_quote(Token._meta.pk.column)} = %s"
            )
        return cls._sql

    def authenticate_credentials(self, key):
        sql = self._statement()
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if self._converters:  # e.g. SQLite's datetimes and booleans
            connection = connections[DEFAULT_DB_ALIAS]
            row = list(row)
            for index, converters, column in self._converters:
                for converter in converters:
                    row[index] = converter(row[index], column, connection)
        split = len(self._user_fields)
        user = get_user_model().from_db(DEFAULT_DB_ALIAS, self._user_fields, row[:split])
        token = Token.from_db(DEFAULT_DB_ALIAS, self._token_fields, row[split:])
        Token.user.field.set_cached_value(token, user)
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return (user, token)

    def _invalid(self):
        raise exceptions.AuthenticationFailed("Invalid token header.")

    def authenticate_header(self, request):
        return "Bearer"


def _quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


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
