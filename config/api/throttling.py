from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class ActionThrottle(UserRateThrottle):
    """Per-user rate on action endpoints: every action a view lists in `action_permissions`
    (`POST …/{id}/<verb>`, stock moves). Reads are never throttled.

    Counters live in the Django cache (per process unless a shared cache is configured): a
    protective limit, not a correctness mechanism.
    """

    scope = "actions"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if getattr(view, "action", None) not in getattr(view, "action_permissions", {}):
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
