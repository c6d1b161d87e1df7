import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from config.management.commands.seed_demo import DEMO_MODULES
from items.models import Item

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    first = StringIO()
    call_command("seed_demo", "--superuser", stdout=first)
    assert re.search(
        r"manufacturing\.demo_orders: created [1-9]\d* production orders", first.getvalue()
    )
    counts = {"items": Item.objects.count(), "users": get_user_model().objects.count()}

    second = StringIO()
    call_command("seed_demo", "--superuser", stdout=second)

    reports = [line for line in second.getvalue().splitlines() if ": created " in line]
    assert [line.split(":")[0] for line in reports] == DEMO_MODULES
    assert all(n == "0" for line in reports for n in re.findall(r"(\d+) ", line)), reports
    assert counts["items"] >= 15
    assert Item.objects.count() == counts["items"]
    assert get_user_model().objects.count() == counts["users"] == 1
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("admin")


def test_seed_demo_refuses_the_demo_superuser_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--superuser")

    assert not get_user_model().objects.filter(username="admin").exists()


def test_seed_demo_dry_run_reports_what_it_would_create_and_writes_nothing(settings):
    from inventory.models import StockMove
    from manufacturing.boms.models import BOM
    from manufacturing.orders.models import ProductionOrder

    settings.DEBUG = True
    out = StringIO()

    call_command("seed_demo", "--superuser", "--dry-run", stdout=out)

    assert "items.demo: created" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert not Item.objects.filter(number="WIDGET-PRO").exists()
    assert not BOM.all_objects.exists()
    assert not ProductionOrder.all_objects.exists()
    assert not StockMove.objects.exists()
    assert not get_user_model().objects.filter(username="admin").exists()


def test_create_api_token_prints_only_the_token(make_user, capsys):
    user = make_user(username="mes")

    call_command("create_api_token", "mes")
    first = capsys.readouterr().out
    call_command("create_api_token", "mes")
    second = capsys.readouterr().out

    assert first == second == Token.objects.get(user=user).key + "\n"


def test_create_api_token_for_unknown_user_fails():
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "ghost")
