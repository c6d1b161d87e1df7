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


class ReleaseRenderedBodyMiddleware:
    """A rendered API response lets go of its body's Python objects (`data`) and of its
    renderer context, which refers back to the response: that reference cycle kept every body
    alive until the cyclic collector's next pass, which then walked all of it (a page of rows,
    an explosion of thousands). Only the rendered bytes are sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "is_rendered", False) and hasattr(response, "renderer_context"):
            response.data = None
            response.renderer_context = None
        return response
