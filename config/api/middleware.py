"""`Cache-Control: no-store` on every response under /api/.

API responses hold stock, costs and plans for one user: no shared cache (a proxy, a CDN) nor the
browser's cache may keep them. Every response means everything under /api/, errors, replays,
`/api/health` (a cached health check says nothing) and `/api/schema` (small, fetched rarely,
and it changes with each release) included: one rule, with nothing to reason about per view.
A view that sets its own Cache-Control keeps it.
"""


class ApiNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/") and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
