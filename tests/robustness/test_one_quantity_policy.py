"""One quantity policy (issue 11, docs/quantities.md): every entry point — the API, an admin
form, a CSV import row, a command argument — refuses the same bad quantity with the same
message, and changes nothing."""

import html
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from config.quantities import NOT_A_NUMBER, QUANTITY, SIGN_MESSAGES, too_large, too_many_places
from inventory.models import StockMove
from manufacturing.boms.models import BOM
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, line

pytestmark = pytest.mark.django_db

BAD = [
    # (as typed: a JSON number literal where JSON has one, else a string), the one message
    ("1.1234567", too_many_places(QUANTITY)),  # seven decimal places
    ("1000000000000", too_large(QUANTITY)),  # 10^12
    ("0", SIGN_MESSAGES["positive"]),
    ("-1", SIGN_MESSAGES["positive"]),
    ("abc", NOT_A_NUMBER),
    ("NaN", NOT_A_NUMBER),
]
JSON_NUMBERS = {"1.1234567", "1000000000000", "0", "-1"}  # sent unquoted; NaN is not JSON
CSV_HEADER = (
    "bom_number,bom_name,product_number,bom_quantity,bom_uom,bom_type,bom_status,is_default,"
    "version,description,component_number,quantity,unit,scrap_percent,operation_sequence,"
    "operation_name,workcenter,duration_minutes"
)


def via_api(api, value) -> str:
    item = ItemFactory(number="BOLT")
    literal = value if value in JSON_NUMBERS else json.dumps(value)
    body = f'{{"kind": "receipt", "itemId": "{item.pk}", "quantity": {literal}}}'
    response = api.post("/api/inventory/moves", data=body, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert StockMove.objects.count() == 0
    errors = response.json()["errors"]
    assert list(errors) == ["quantity"], errors
    return errors["quantity"][0]


def via_admin(admin_user, value) -> str:
    item = ItemFactory(number="BOLT")
    client = Client()
    client.force_login(admin_user)
    form = {
        "kind": "receipt",
        "item": str(item.pk),
        "quantity": value,
        "uom": "",
        "from_warehouse": "",
        "to_warehouse": "",
        "lot_number": "",
        "reference": "",
        "note": "",
    }
    response = client.post("/admin/inventory/stockmove/record/", form)
    assert response.status_code == 200
    assert StockMove.objects.count() == 0
    errors = response.context["form"].errors
    assert list(errors) == ["quantity"], errors
    message = errors["quantity"][0]
    assert html.escape(message) in response.content.decode()
    return message


def via_csv(tmp_path, value) -> str:
    ItemFactory(number="TOP", uom=unit("units"))
    ItemFactory(number="FRAME", uom=unit("units"))
    path = tmp_path / "boms.csv"
    path.write_text(f"{CSV_HEADER}\nBOM-Q,Top,TOP,1,,,,,,,FRAME,{value},,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_boms", str(path), stdout=StringIO(), stderr=StringIO())
    assert not BOM.all_objects.exists()
    rows = [r for r in str(refused.value).splitlines() if r.startswith("row ")]
    assert len(rows) == 1, rows
    prefix = "row 2: quantity: "
    assert rows[0].startswith(prefix), rows
    return rows[0].removeprefix(prefix)


def via_command(value) -> str:
    BOMFactory(number="BOM-Q", lines=[line(ItemFactory(number="FRAME"), 1)])
    with pytest.raises(CommandError) as refused:
        call_command("explode_bom", "BOM-Q", "--quantity", value, stdout=StringIO())
    prefix = "quantity: "
    assert str(refused.value).startswith(prefix), refused.value
    return str(refused.value).removeprefix(prefix)


@pytest.mark.parametrize(("value", "message"), BAD, ids=[v for v, _ in BAD])
@pytest.mark.parametrize("entry", ["api", "admin", "csv", "command"])
def test_every_entry_point_refuses_a_bad_quantity_with_the_one_message(
    entry, value, message, request, tmp_path
):
    if entry == "api":
        got = via_api(request.getfixturevalue("api"), value)
    elif entry == "admin":
        got = via_admin(request.getfixturevalue("admin_user"), value)
    elif entry == "csv":
        got = via_csv(tmp_path, value)
    else:
        got = via_command(value)
    assert got == message
