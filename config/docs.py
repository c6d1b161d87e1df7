"""The API documentation pages (Swagger UI at /api/docs, ReDoc at /api/redoc) under the
Content-Security-Policy of settings: everything they load is this origin's (drf-spectacular's
sidecar static files), and nothing runs inline.

- Swagger UI: drf-spectacular's "split" view serves its start-up script as a file of its own
  (`/api/docs?script=`) instead of an inline <script>; the page's inline <style> is
  config/static/config/swagger-ui-page.css (templates/api/swagger_ui.html).
- ReDoc: started from its `<redoc spec-url>` element (no inline script), without the Google
  Fonts stylesheet the stock page links (an outside host: blocked by the policy, unreachable
  from a closed network, and a leak of who reads our docs). ReDoc styles itself by inserting
  <style> elements (styled-components) and runs its search in a worker made from a blob: URL,
  so this page alone adds `style-src 'unsafe-inline'` and `worker-src blob:`. Inline styles
  cannot run code; scripts stay 'self' only.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


REDOC_SOURCES = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}


@method_decorator(csp_update(REDOC_SOURCES), name="dispatch")
@method_decorator(csp_update(REDOC_SOURCES, REPORT_ONLY=True), name="dispatch")  # CSP_REPORT_ONLY
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
