"""No raw ids where a person reads: every registered model admin's list page, and the change
page of one of its rows, rendered on the demo plant, show no UUID in their visible text (ids in
links, form values and data attributes are not text). New admins are picked up by themselves."""

import os
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
INVISIBLE = {"script", "style", "template", "noscript"}


class VisibleText(HTMLParser):
    """The text a browser shows: text nodes outside scripts and styles, plus the values of
    inputs a person sees (not hidden ones)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in INVISIBLE:
            self.skipping += 1
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type", "text") not in ("hidden", "checkbox"):
            self.parts.append(attributes.get("value") or "")
        if "title" in attributes:  # a tooltip is read too
            self.parts.append(attributes["title"] or "")

    def handle_endtag(self, tag):
        if tag in INVISIBLE and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def demo_client(admin_user) -> Client:
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    client.force_login(admin_user)
    return client


def admin_pages(request_user) -> list[tuple[str, str]]:
    """(label, url) of every registered model admin's list page (archived rows included where
    the admin has them) and of the change page of its first row."""
    from django.test import RequestFactory

    fake = RequestFactory().get("/admin/")
    fake.user = request_user
    pages = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0].__name__):
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        pages.append((f"{opts.label} list", changelist))
        if hasattr(model, "all_objects"):
            pages.append((f"{opts.label} archived", changelist + "?archived=all"))
        obj = model_admin.get_queryset(fake).order_by("pk").first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            pages.append((f"{opts.label} change", change))
    return pages


def test_no_admin_page_of_the_demo_plant_shows_a_uuid(demo_client, admin_user):
    pages = admin_pages(admin_user)
    assert len(pages) > 20  # every admin of items, inventory, manufacturing and jobs

    found = {}
    for label, url in pages:
        response = demo_client.get(url)
        assert response.status_code == 200, (label, url, response.status_code)
        ids = UUID_RE.findall(visible_text(response.content.decode()))
        if ids:
            found[label] = (url, ids[:3])

    assert sorted(found) == [], "\n".join(f"{k}: {v}" for k, v in found.items())


def test_the_admin_index_shows_no_uuid(demo_client):
    response = demo_client.get("/admin/")

    assert response.status_code == 200
    assert UUID_RE.findall(visible_text(response.content.decode())) == []
