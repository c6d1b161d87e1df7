"""The planner's admin walked in Chromium on the demo plant at 1440 x 1000 (issue 15): the
home page's cards, a submitted BOM's read-only page with its buttons, the structure report for
250 x WIDGET-PRO (shortages, collapsing, printing on A4, the CSV), a closed order with no
inputs, and every planner list fitting the window. Screenshots go to test-artifacts/browser/
(`tour-*.png`); the README's admin tour shows three of them (docs/img/)."""

import base64
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from selenium.webdriver.common.by import By

from inventory import triggers
from manufacturing.boms.models import BOM
from manufacturing.orders.models import OrderStatus, ProductionOrder
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_admin_bom_flow import AdminPage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH, HEIGHT = 1440, 1000
PLANNER_LISTS = [
    "/admin/manufacturing/bom/",
    "/admin/manufacturing/productionorder/",
    "/admin/manufacturing/workorder/",
    "/admin/manufacturing/workcenter/",
    "/admin/items/item/",
    "/admin/items/unitofmeasure/",
    "/admin/inventory/stocklevel/",
    "/admin/inventory/stockmove/",
    "/admin/inventory/reservation/",
    "/admin/inventory/lot/",
    "/admin/inventory/warehouse/",
    "/admin/config/job/",
]


@pytest.fixture
def ledger_emptied_after():
    """The flush after a transactional test deletes row by row on SQLite, which the ledger
    triggers refuse (inventory/triggers.py): empty the ledger with them lifted, then restore
    them (as tests/manufacturing/test_order_reserved.py does)."""
    yield
    if connection.vendor != "sqlite":
        return  # PostgreSQL flushes with TRUNCATE, which row triggers ignore
    with connection.cursor() as cursor:
        for statement in triggers.SQLITE_UNINSTALL:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {triggers.TABLE}")
        for statement in triggers.SQLITE_INSTALL:
            cursor.execute(statement)


@pytest.fixture
def planner_page(ledger_emptied_after, live_server, browser):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    get_user_model().objects.create_superuser("plan", "plan@example.com", "planner-pw-1")
    browser.set_window_size(WIDTH, HEIGHT)
    page = AdminPage(browser, live_server.url)
    page.open("/admin/login/")
    page.type("#id_username", "plan")
    page.type("#id_password", "planner-pw-1")
    page.click_and_load(page.find('#login-form input[type="submit"]'))
    return page


def readme_shot(driver, name: str, *, height: int = 900) -> None:
    """The top of the page at 60 %, small enough to commit: the README's tour copies
    test-artifacts/browser/readme-*.png to docs/img/."""
    driver.set_window_size(WIDTH, HEIGHT)
    clip = {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 0.6}
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "clip": clip})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"readme-{name}.png").write_bytes(base64.b64decode(data["data"]))


def fits(driver) -> tuple[int, int]:
    """(content width, visible width) of the page, and of the list's own scroll box (the
    admin's `.results` scrolls sideways by itself when the table is wider than the page)."""
    return driver.execute_script(
        "var page = document.documentElement;"
        "var box = document.querySelector('#changelist .results') || page;"
        "var over = Math.max(box.scrollWidth - box.clientWidth, page.scrollWidth - page.clientWidth);"
        "return [box.clientWidth + over, box.clientWidth]"
    )


def test_the_planners_tour(planner_page, browser, shot):
    page = planner_page

    # 1. The home says what needs attention, with links.
    cards = page.find("#home-cards")
    titles = [h.text for h in cards.find_elements(By.CSS_SELECTOR, ".home-card h2 a")]
    assert any(t.startswith("Orders late or due this week") for t in titles), titles
    assert any(t.startswith("Work orders in progress per workcenter") for t in titles), titles
    assert "LINE-A · Line A" in page.find("#home-card-workcenters").text
    shot("tour-01-home")
    readme_shot(browser, "home", height=760)

    # 2. A submitted BOM: lines and operations as tables, no inputs, the actions as buttons.
    bom = BOM.objects.get(product__number="WIDGET-PRO", is_default=True)
    page.open(f"/admin/manufacturing/bom/{bom.pk}/change/")
    assert browser.find_elements(By.CSS_SELECTOR, '[name^="components-"]') == []
    assert browser.find_elements(By.CSS_SELECTOR, '[name^="operations-"]') == []
    assert browser.find_elements(By.CSS_SELECTOR, ".add-row, .related-widget-wrapper-link") == []
    assert "SA-FRAME · " in page.find("#bom-locked-components").text
    labels = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#bom-buttons button")]
    assert labels == ["Copy as new version", "Cancel", "Archive"]
    assert page.find("#id_name").is_enabled()
    shot("tour-02-submitted-bom")
    readme_shot(browser, "submitted-bom", height=1000)

    # 3. The structure report for 250, from the BOM's page.
    page.click_and_load(page.find("#bom-structure-link"))
    page.type("#id_quantity", "250")
    page.click_and_load(page.find('#structure-form input[type="submit"]'))
    tree = page.find("#structure-tree")
    rows = {
        tr.find_elements(By.TAG_NAME, "td")[1].text.strip("▾· "): tr
        for tr in tree.find_elements(By.CSS_SELECTOR, "tbody tr")
    }
    frame = rows["SA-FRAME"]
    cells = [td.text for td in frame.find_elements(By.TAG_NAME, "td")]
    assert cells[3] == "250"  # one frame a widget
    assert "short" in (frame.get_attribute("class") or "") or cells[7] == "—"
    assert any("short" in (tr.get_attribute("class") or "") for tr in rows.values())
    steel = rows["RM-STEEL-001"]
    assert steel.get_attribute("data-parent") == frame.get_attribute("id")
    shot("tour-03-structure-250")
    readme_shot(browser, "structure-250", height=820)

    # collapse the frame: its parts disappear; expand: back
    frame.find_element(By.CSS_SELECTOR, ".toggle").click()
    assert not steel.is_displayed()
    assert "collapsed" in frame.get_attribute("class")
    shot("tour-04-structure-collapsed")
    frame.find_element(By.CSS_SELECTOR, ".toggle").click()
    assert steel.is_displayed()

    # the CSV link downloads the rows shown (read through fetch: no download dialog headless)
    csv_text = browser.execute_async_script(
        "var done = arguments[0];"
        "fetch(document.getElementById('structure-csv').href).then(r => r.text()).then(done);"
    )
    lines = csv_text.splitlines()
    assert lines[0].startswith("Level,Component,Name,Quantity,Unit,On hand,Available,Shortage")
    assert len([line for line in lines[1:] if line and line[0].isdigit()]) == len(rows)

    # print: A4, no admin chrome
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not page.driver.find_element(By.ID, "header").is_displayed()
    assert not page.driver.find_element(By.ID, "structure-form").is_displayed()
    assert tree.is_displayed()
    shot("tour-05-structure-print")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    assert base64.b64decode(pdf["data"])[:5] == b"%PDF-"

    # 4. A closed order: no inputs, no save.
    closed = ProductionOrder.objects.filter(status=OrderStatus.DONE).first()
    page.open(f"/admin/manufacturing/productionorder/{closed.pk}/change/")
    form = page.find("#productionorder_form")
    typed = form.find_elements(
        By.CSS_SELECTOR, 'input:not([type="hidden"]), select, textarea, [name="_save"]'
    )
    assert typed == []
    shot("tour-06-closed-order")

    # 5. Every planner list fits 1440 px.
    too_wide = {}
    for index, path in enumerate(PLANNER_LISTS):
        browser.set_window_size(WIDTH, HEIGHT)
        page.open(path)
        scroll, client = fits(browser)
        if scroll > client:
            too_wide[path] = (scroll, client)
        if index == 0:
            shot("tour-07-bom-list")
            browser.set_window_size(WIDTH, HEIGHT)
    assert too_wide == {}
