from django.db import transaction

from config.idempotency import (
    HEADER,
    Replay,
    idempotency_claim,
    idempotency_store,
    replay_response,
    validate_key,
)


class IdempotentPostMixin:
    """Gives every POST of a view `Idempotency-Key` support (see config.idempotency)."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST" or HEADER not in request.META:
            return super().dispatch(request, *args, **kwargs)
        self._idempotency_record = None
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            record = self._idempotency_record
            if record is not None and response.status_code < 500:
                idempotency_store(record=record, response=response)
            elif record is not None:
                transaction.set_rollback(True)
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and HEADER in request.META:
            key = validate_key(request.META[HEADER])
            self._idempotency_record = idempotency_claim(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path,
                data=request.data,
            )

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return replay_response(exc.record)
        return super().handle_exception(exc)
