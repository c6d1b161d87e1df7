import logging
import time
from contextlib import contextmanager

from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)

LOCK_TTL = 2  # seconds a lock lives if its holder dies (a SIGKILLed worker)
LOCK_WAIT = 3  # seconds to wait for it: past LOCK_TTL, so a dead holder's lock has expired


class ActionThrottle(UserRateThrottle):
    """Per-user rate on action endpoints: every action a view lists in `action_permissions`
    (`POST …/{id}/<verb>`, stock moves). Reads are never throttled.

    The counts live in the shared cache (settings.CACHES: the database, or Redis), so every
    worker and every host counts against the same limit, and a restart does not reset it.
    DRF's throttle reads the user's list of request times and writes it back: two workers at
    once would both read the same list and one write would lose the other's request. Each
    user's read-check-write runs under a lock taken with `cache.add` (an atomic insert-if-absent
    on the database cache and on Redis); the limit and Retry-After are then DRF's own, exact.
    If the lock cannot be had within LOCK_WAIT (a cache in trouble), the request is checked
    unlocked rather than refused: a protective limit, not a correctness mechanism.
    """

    scope = "actions"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if getattr(view, "action", None) not in getattr(view, "action_permissions", {}):
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if self.rate is None or key is None:
            return True
        with self._locked(f"{key}:lock"):
            return super().allow_request(request, view)

    @contextmanager
    def _locked(self, lock: str):
        deadline = time.monotonic() + LOCK_WAIT
        while not (held := self.cache.add(lock, 1, timeout=LOCK_TTL)):
            if time.monotonic() > deadline:
                logger.warning(
                    "Throttle lock %s not acquired in %ss: checked unlocked", lock, LOCK_WAIT
                )
                break
            time.sleep(0.005)
        try:
            yield
        finally:
            if held:
                self.cache.delete(lock)
