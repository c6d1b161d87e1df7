"""A planner builds a two-level BOM in the admin, in a real browser (headless Chromium through
Selenium, against pytest-django's live server), the way a person would: logging in, typing into
the autocomplete (select2) boxes and picking the match, adding inline lines, saving, running the
"submit" action, reading the exploded tree. A screenshot of every page goes to
test-artifacts/browser/ (CI keeps them as artifacts; a failing run adds FAILED-<test>.png).

The structure, and its cost worked out by hand (workcenter: 48.00 an hour):

    WIDGET (BOM-WIDGET, 1 EA)                  operation Assemble 30 min -> 24.00
      FRAME  x 2  (BOM-FRAME, per 1 EA)        operation Weld 15 min -> 12.00 a run, 2 runs
        PLATE x 2 -> 4 at 3.50 = 14.00
        BOLT  x 4 -> 8 at 0.25 =  2.00
      BOLT   x 10            at 0.25 =  2.50

    FRAME row (rolled up): 14.00 + 2.00 + 2 x 12.00 = 40.00
    materials 14.00 + 2.00 + 2.50 = 18.50; operations 24.00 + 24.00 = 48.00; total 66.50
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from manufacturing.boms.models import BOM, BOMStatus
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import WorkcenterFactory

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread: the data must be committed. The serialized
    # rollback puts back what the data migrations made (units, role groups) after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAIT = 10  # seconds: every wait is for one page or one autocomplete answer on localhost


def make_planner():
    """A staff user in the `planner` group exactly as the roles migration made it (brought back
    by `serialized_rollback`): a broken roles table fails this test instead of being patched."""
    user = get_user_model().objects.create_user(
        "plan", "plan@example.com", "planner-pw-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name="planner"))
    return user


def _replaced(old):
    """`EC.staleness_of`, also when Chromium answers a node of the page being replaced with
    "does not belong to the document" (a generic error, not a stale element: seen once under
    load, mid-navigation)."""

    def check(driver) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return check


class AdminPage:
    """What a planner does on an admin page, each step waiting (explicitly, briefly) for what it
    needs instead of sleeping."""

    def __init__(self, driver, base_url: str):
        self.driver = driver
        self.base = base_url
        self.wait = WebDriverWait(
            driver, WAIT, ignored_exceptions=(StaleElementReferenceException,)
        )

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)
        self.ready()

    def ready(self) -> None:
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def find(self, css: str):
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def type(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def click_and_load(self, element) -> None:
        """Click something that loads a new page, and wait until the new one is there."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        self.wait.until(_replaced(old))
        self.ready()

    def save(self) -> None:
        self.click_and_load(self.find('input[name="_save"]'))

    def autocomplete(self, select_id: str, term: str, pick: str) -> None:
        """Open the select2 box of <select id=select_id>, type `term`, click the result whose
        text starts with `pick` (the admin shows an item as "NUMBER · Name")."""
        box = self.find(f"#{select_id} + .select2 .select2-selection")
        box.click()
        search = self.find(".select2-container--open .select2-search__field")
        search.send_keys(term)
        xpath = (
            "//span[contains(@class,'select2-container--open')]"
            "//li[contains(@class,'select2-results__option')"
            " and not(contains(@class,'loading-results'))"
            f" and starts-with(normalize-space(.), '{pick}')]"
        )

        def click_option(driver) -> bool:
            # select2 re-renders its results as each answer to the typed term arrives: an
            # option found a moment ago may be gone (stale) when clicked; find it again.
            option = EC.element_to_be_clickable((By.XPATH, xpath))(driver)
            if not option:
                return False
            option.click()
            return True

        self.wait.until(click_option)
        self.wait.until(
            lambda d: (
                Select(d.find_element(By.ID, select_id))
                .first_selected_option.text.strip()
                .startswith(pick)
            )
        )

    def add_inline_row(self, group: str) -> None:
        """Click "Add another …" under the inline `group` and wait for the new row's widgets."""
        rows = len(self.driver.find_elements(By.CSS_SELECTOR, f"#{group}-group tr.form-row"))
        self.find(f"#{group}-group tr.add-row a").click()
        self.wait.until(
            lambda d: (
                len(d.find_elements(By.CSS_SELECTOR, f"#{group}-group tr.form-row")) == rows + 1
            )
        )

    def component(self, index: int, item: str, quantity: str) -> None:
        self.autocomplete(f"id_components-{index}-item", item, item)
        self.type(f"#id_components-{index}-quantity", quantity)

    def operation(self, index: int, name: str, workcenter: str, minutes: str) -> None:
        self.type(f"#id_operations-{index}-name", name)
        self.autocomplete(f"id_operations-{index}-workcenter", workcenter, workcenter)
        self.type(f"#id_operations-{index}-duration_minutes", minutes)

    def success_message(self) -> str:
        return self.find(".messagelist .success").text

    def open_from_list(self, number: str) -> None:
        self.click_and_load(self.find_link(number))

    def find_link(self, text: str):
        return self.wait.until(EC.element_to_be_clickable((By.LINK_TEXT, text)))


def test_planner_builds_submits_and_explodes_a_two_level_bom(live_server, browser, shot):
    planner = make_planner()
    workcenter = WorkcenterFactory(code="WELD-1", name="Welding cell", hourly_cost=Decimal(48))
    ItemFactory(number="PLATE", name="Steel plate", standard_cost=Decimal("3.50"))
    ItemFactory(number="BOLT", name="Bolt M6", standard_cost=Decimal("0.25"))
    ItemFactory(number="FRAME", name="Welded frame", standard_cost=Decimal(0))
    ItemFactory(number="WIDGET", name="Widget Pro", standard_cost=Decimal(0))
    page = AdminPage(browser, live_server.url)

    # 1. Log in at /admin/ as the planner.
    page.open("/admin/")
    page.type("#id_username", "plan")
    page.type("#id_password", "planner-pw-1")
    shot("01-login")
    page.click_and_load(page.find('#login-form input[type="submit"]'))
    assert "Bills of materials" in page.find("#content-main").text, (
        "the planner group gives no access to the BOM admin"
    )
    shot("02-admin-index")

    # 2. The sub-assembly's BOM: two component lines and an operation, all picked by typing.
    page.open("/admin/manufacturing/bom/add/")
    page.type("#id_number", "BOM-FRAME")
    page.type("#id_name", "Welded frame")
    page.autocomplete("id_product", "frame", "FRAME")
    page.component(0, "PLATE", "2")
    page.add_inline_row("components")
    page.component(1, "BOLT", "4")
    page.operation(0, "Weld", "WELD-1", "15")
    shot("03-sub-bom-filled")
    page.save()
    assert "BOM-FRAME" in page.success_message()
    shot("04-sub-bom-saved")

    # 3. The top BOM, using the sub-assembly.
    page.open("/admin/manufacturing/bom/add/")
    page.type("#id_number", "BOM-WIDGET")
    page.type("#id_name", "Widget Pro")
    page.autocomplete("id_product", "widget", "WIDGET")
    page.component(0, "FRAME", "2")
    page.add_inline_row("components")
    page.component(1, "BOLT", "10")
    page.operation(0, "Assemble", "WELD-1", "30")
    shot("05-top-bom-filled")
    page.save()
    assert "BOM-WIDGET" in page.success_message()
    shot("06-top-bom-saved")

    frame_bom = BOM.objects.get(number="BOM-FRAME")
    widget_bom = BOM.objects.get(number="BOM-WIDGET")
    assert [(c.item.number, c.quantity) for c in frame_bom.components.order_by("position")] == [
        ("PLATE", Decimal(2)),
        ("BOLT", Decimal(4)),
    ]
    assert frame_bom.is_default and widget_bom.is_default
    assert frame_bom.history.first().history_user == planner

    # 4. WIDGET as a component of FRAME's own BOM would be circular: a form error, nothing saved.
    page.open_from_list("BOM-FRAME")
    page.component(2, "WIDGET", "1")  # the blank row the change page offers
    page.save()
    error = page.find(".errornote").text + " " + page.find("ul.errorlist").text
    assert "circular_reference" in error, error
    assert "FRAME → WIDGET → FRAME" in error, error
    shot("07-circular-component-error")
    assert frame_bom.components.count() == 2
    assert not frame_bom.components.filter(item__number="WIDGET").exists()
    frame_bom.refresh_from_db()
    assert frame_bom.version == 1 and frame_bom.history.count() == 1

    # 5. Submit the top BOM with the list's action.
    page.open("/admin/manufacturing/bom/")
    row = page.find_link("BOM-WIDGET").find_element(By.XPATH, "ancestor::tr")
    row.find_element(By.CSS_SELECTOR, 'input[name="_selected_action"]').click()
    Select(page.find('select[name="action"]')).select_by_visible_text("Submit selected draft BOMs")
    page.click_and_load(page.find('button[name="index"]'))
    assert "Submitted 1 BOM(s)." in page.success_message()
    shot("08-top-bom-submitted")
    widget_bom.refresh_from_db()
    assert widget_bom.status == BOMStatus.SUBMITTED
    assert BOM.objects.get(number="BOM-FRAME").status == BOMStatus.DRAFT

    # 6. The exploded tree with its costs on the BOM's page.
    page.open_from_list("BOM-WIDGET")
    tree = page.find("#bom-explosion")
    assert "Exploded structure for 1 EA of WIDGET" in tree.find_element(By.TAG_NAME, "h2").text
    rows = []
    for tr in tree.find_elements(By.CSS_SELECTOR, "table:first-of-type > tbody > tr"):
        cells = tr.find_elements(By.TAG_NAME, "td")
        rows.append(
            (
                # indentation: one 1em spacer per level (a stylesheet's, no inline style)
                sum(
                    i.size["width"] > 0 for i in cells[0].find_elements(By.CSS_SELECTOR, ".indent")
                ),
                cells[0].text.split()[1],  # "▾ FRAME Welded frame" -> FRAME
                cells[1].text,
                cells[2].text,
                cells[4].text,
                cells[5].text,
            )
        )
    # (indent, component, level, quantity, unit cost, cost): depth first, the sub-assembly's
    # parts one step further in, under it.
    assert rows == [
        (1, "FRAME", "1", "2", "rolled up", "40.0000"),
        (2, "PLATE", "2", "4", "3.5000", "14.0000"),
        (2, "BOLT", "2", "8", "0.2500", "2.0000"),
        (1, "BOLT", "1", "10", "0.2500", "2.5000"),
    ]
    footer = {
        tr.find_elements(By.TAG_NAME, "td")[0].text: tr.find_elements(By.TAG_NAME, "td")[1].text
        for tr in tree.find_elements(By.CSS_SELECTOR, "table:first-of-type > tfoot > tr")
    }
    assert footer == {
        "Materials": "18.5000",
        "Operations (every exploded BOM)": "48.0000",
        "Total": "66.5000",
        "Per EA": "66.5000",
    }
    totals = tree.find_element(
        By.XPATH, ".//h3[.='Totals to pick or buy']/following-sibling::table"
    )
    picked = {}
    for tr in totals.find_elements(By.TAG_NAME, "tr"):
        number, _name, quantity, _unit = (td.text for td in tr.find_elements(By.TAG_NAME, "td"))
        picked[number] = quantity
    assert picked == {"PLATE": "4", "BOLT": "18"}  # BOLT: 8 in the frames + 10 on top
    assert workcenter.name in tree.text  # both operations, with their workcenter
    shot("09-exploded-tree-with-costs")
