"""The Content-Security-Policy (settings, config/docs.py): on every response, and every page it
covers loads only this origin's files and runs nothing inline, so the policy breaks nothing.
(tests/browser/test_csp.py shows the same in a real browser: no violation, select2 and the docs
working.)"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from manufacturing.boms.models import BOM, BOMStatus

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
REDOC_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") + (
    "; worker-src 'self' blob:"
)


def directives(header: str) -> dict[str, set[str]]:
    """A policy as {directive: sources} (django-csp writes directives in no fixed order)."""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: set(sources) for name, *sources in parts}


class Page(HTMLParser):
    """What a page would ask of the policy: inline scripts and styles, event-handler and style
    attributes, and the URLs of everything it loads."""

    def __init__(self, html: str):
        super().__init__()
        self.inline: list[str] = []
        self.loads: list[str] = []
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.inline.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and value and value.startswith("javascript:"):
                self.inline.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and "src" in attrs:
            self.loads.append(attrs["src"])
        elif tag == "script" and attrs.get("type", "text/javascript") != "application/json":
            self._in = "script"
        elif tag == "style":
            self._in = "style"
        elif tag == "link" and attrs.get("rel") in {"stylesheet", "icon"}:
            self.loads.append(attrs["href"])
        elif tag == "img":
            self.loads.append(attrs["src"])

    def handle_data(self, data):
        if self._in and data.strip():
            self.inline.append(f"<{self._in}>{data.strip()[:60]}")

    def handle_endtag(self, tag):
        self._in = None

    def outside(self) -> list[str]:
        """What comes from anywhere but this origin (a path, or a data: image)."""
        return [url for url in self.loads if not url.startswith(("/", "data:image/"))]


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_every_response_carries_the_policy(api, anon):
    for response in (
        anon.get("/admin/login/"),
        anon.get("/api/health"),
        api.get("/api/items"),
        anon.get("/api/items"),  # a 401 problem+json
        anon.get("/api/docs"),
    ):
        policy = directives(response["Content-Security-Policy"])
        assert policy == directives(POLICY), response.request["PATH_INFO"]
    assert directives(POLICY)["script-src"] == {"'self'"}


def test_every_admin_page_loads_only_own_files_and_runs_nothing_inline(
    admin_client, admin_user, rf, every_kind_of_row
):
    """The admin index, every model's list, add and change page (the BOM page with its exploded
    tree and the locked note), every history page and the record-move form."""
    # The plant's BOM is submitted (orders are made on submitted BOMs only): its page is locked.
    locked = BOM.objects.get(status=BOMStatus.SUBMITTED)
    request = rf.get("/admin/")
    request.user = admin_user
    urls = ["/admin/", reverse("admin:inventory_stockmove_record")]
    simple_history = set()  # django-simple-history's history lists
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
        obj = model_admin.get_queryset(request).first()
        if obj is not None:
            urls += [reverse(f"{prefix}_change", args=[obj.pk])]
            urls += [reverse(f"{prefix}_history", args=[obj.pk])]
            if isinstance(model_admin, SimpleHistoryAdmin):
                simple_history.add(urls[-1])
    urls.append(reverse("admin:manufacturing_bom_change", args=[locked.pk]))

    seen = {}
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        expected = directives(POLICY)
        if url in simple_history:
            expected["style-src-attr"] = {"'unsafe-inline'"}
        assert directives(response["Content-Security-Policy"]) == expected, url
        page = Page(response.content.decode())
        seen[url] = (page.inline, page.outside())

    # django-simple-history's history list has one style attribute (its template): those pages
    # alone allow style attributes, nothing else.
    history = "<p style='border-top: 0'>"
    assert {
        url: found for url, found in seen.items() if found not in (([], []), ([history], []))
    } == {}
    assert {url for url, found in seen.items() if found == ([history], [])} == simple_history
    assert len(simple_history) == 4  # items, workcenters, BOMs, orders
    bom_page = admin_client.get(reverse("admin:manufacturing_bom_change", args=[locked.pk]))
    html = bom_page.content.decode()
    assert 'id="bom-locked-note"' in html and 'id="bom-explosion"' in html
    assert "/static/manufacturing/bom-change-form.css" in html
    assert len(urls) > 3 * len(admin.site._registry)


def test_swagger_ui_loads_only_sidecar_files_and_its_script_from_a_url(anon):
    response = anon.get("/api/docs")
    page = Page(response.content.decode())

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
    assert page.inline == []
    assert page.outside() == []
    assert set(page.loads) == {
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/config/swagger-ui-page.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs?script=",
    }
    script = anon.get("/api/docs?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content and b'url: "/api/schema"' in script.content


def test_redoc_loads_only_sidecar_files_with_its_two_extra_sources(anon):
    response = anon.get("/api/redoc")
    page = Page(response.content.decode())

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(REDOC_POLICY)
    assert page.inline == []
    assert set(page.loads) == {
        "/static/config/redoc-page.css",
        "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
    }
    assert '<redoc spec-url="/api/schema"></redoc>' in response.content.decode()
    assert "fonts.googleapis.com" not in response.content.decode()
