"""The Content-Security-Policy in a real browser (headless Chromium): the admin's select2
autocomplete, inline rows, the BOM page's tree and note, the history pages, the record-move
form, Swagger UI and ReDoc all work, and the console shows no refusal. (The browser fixture
also fails any browser test whose pages the policy refused something on.)"""

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from manufacturing.boms.services import bom_submit
from tests.browser.conftest import csp_violations
from tests.browser.test_admin_bom_flow import AdminPage
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_and_api_docs_work_under_the_policy(live_server, browser, make_user):
    make_user(superuser=True, username="csp")
    frame = ItemFactory(number="FRAME", name="Welded frame")
    plate = ItemFactory(number="PLATE", name="Steel plate", standard_cost=Decimal("3.50"))
    bom = BOMFactory(
        number="BOM-FRAME",
        product=frame,
        lines=[line(plate, 2)],
        operations=[op(WorkcenterFactory(code="WELD-1"), 15, "Weld")],
    )
    bom_submit(bom=bom)
    page = AdminPage(browser, live_server.url)
    seen = {}

    page.open("/admin/login/")
    page.type("#id_username", "csp")
    page.type("#id_password", "pw")
    page.click_and_load(page.find('#login-form input[type="submit"]'))
    seen["login"] = csp_violations(browser)

    # select2 (its script, styles and the autocomplete requests) and a new inline row.
    page.open("/admin/manufacturing/bom/add/")
    page.autocomplete("id_product", "plate", "PLATE")
    page.add_inline_row("components")
    page.autocomplete("id_components-1-item", "fra", "FRAME")
    seen["bom add"] = csp_violations(browser)

    # The locked note and the tree, styled by their stylesheet (no inline style).
    page.open(f"/admin/manufacturing/bom/{bom.pk}/change/")
    note = page.find("#bom-locked-note")
    assert note.value_of_css_property("border-left-style") == "solid"
    assert "PLATE" in page.find("#bom-explosion").text
    indent = browser.find_element(By.CSS_SELECTOR, "#bom-explosion td .indent")
    assert indent.size["width"] > 0
    seen["bom change"] = csp_violations(browser)

    page.open(f"/admin/manufacturing/bom/{bom.pk}/history/")
    page.find("#change-history")
    seen["history"] = csp_violations(browser)

    page.open("/admin/inventory/stockmove/record/")
    page.autocomplete("id_item", "plate", "PLATE")
    seen["record move"] = csp_violations(browser)

    # Swagger UI: its start-up script ran, fetched the schema and drew the operations.
    page.open("/api/docs")
    page.find(".swagger-ui .opblock-tag-section")
    assert "Manufacturing back office API" in page.find(".swagger-ui .info .title").text
    seen["swagger"] = csp_violations(browser)

    # ReDoc: drew the schema (its styles and search worker allowed on that page only; its
    # logo from Redocly's CDN refused, see EXPECTED_REFUSALS).
    page.open("/api/redoc")
    page.find(".redoc-wrap .api-content h1")
    assert "Manufacturing back office API" in page.find(".api-content h1").text
    seen["redoc"] = csp_violations(browser)

    assert seen == {step: [] for step in seen}
