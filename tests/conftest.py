import datetime
import os
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory.services.reservations import stock_reserve
from manufacturing.orders import services as order_services
from manufacturing.planning import services as planning
from tests.inventory.factories import main_warehouse, receive
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line, op
from tests.manufacturing.orders_fixtures import make_order, make_plant

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# Users are created by the hundred: PBKDF2's million rounds would cost a third of a second each.
# Tests check who may do what, not how passwords are stored (Django's own advice for test runs).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite uses the database cache even when REDIS_URL is set: the per-test cache.clear() below
# must never flush a Redis that something else uses. (The Redis path has its own test, with a
# key prefix of its own: tests/config/test_shared_throttle.py.)
settings.CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}


def pytest_collection_modifyitems(config, items):
    if IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def _flushes(item) -> bool:
    """Whether the test runs outside a transaction, so Django flushes every table after it."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _restores_itself(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(marker.kwargs.get("serialized_rollback"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test Django flushes every table, the data migrations' rows (units,
    permissions, roles) included. In one process the transactional tests run last, but with
    pytest-xdist a worker takes a whole file and then the next, so the next file's tests would
    find an empty database: the rows are loaded again here, from the copy Django took when it
    created the test database (what `serialized_rollback` restores from)."""
    yield
    if not _flushes(item) or nextitem is None or _restores_itself(nextitem):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session", autouse=True)
def jobs_storage_dir(tmp_path_factory):
    """Background jobs' files (uploads, exports) go to a folder of the test run, for the test
    process and for the worker processes it starts (JOBS_STORAGE_DIR)."""
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("jobs-storage")
    os.environ["JOBS_STORAGE_DIR"] = str(folder)
    storages = {**settings.STORAGES, "jobs": {**settings.STORAGES["jobs"]}}
    storages["jobs"]["OPTIONS"] = {"location": str(folder)}
    from django.utils.functional import empty

    from config.jobs.models import JOBS_STORAGE

    with override_settings(STORAGES=storages):
        JOBS_STORAGE._wrapped = empty  # looked up again, under the test settings
        yield folder
    JOBS_STORAGE._wrapped = empty


@pytest.fixture(autouse=True)
def fresh_throttle_counters(request):
    """Throttle counters live in the shared cache, the database's `django_cache` table, and
    user ids repeat between tests: each test that reaches the database starts with an empty
    cache. (A test's transaction rolls its own rows back, but a transactional test's flush
    leaves the cache table alone, so the next test clears what it committed.) Tests without
    database access never touch it."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(request.fixturenames)
    )
    if uses_db:
        request.getfixturevalue("db")  # database access first (transactional when marked so)
        cache.clear()


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(*perms: str, superuser: bool = False, username: str | None = None):
        counter["n"] += 1
        name = username or f"user{counter['n']}"
        User = get_user_model()
        if superuser:
            user = User.objects.create_superuser(name, f"{name}@example.com", "pw")
        else:
            user = User.objects.create_user(name, f"{name}@example.com", "pw")
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return user

    return make


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    client.user = user
    return client


@pytest.fixture
def admin_user(make_user):
    return make_user(superuser=True, username="boss")


@pytest.fixture
def api(admin_user) -> APIClient:
    """A superuser's client authenticating with a real bearer token on every request."""
    return client_for(admin_user)


@pytest.fixture
def api_as(make_user):
    def make(*perms: str) -> APIClient:
        return client_for(make_user(*perms))

    return make


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def assert_no_drift():
    """Run check_stock: the ledger and the stock projections must agree."""

    def check():
        out = StringIO()
        call_command("check_stock", stdout=out)
        assert "No drift" in out.getvalue(), out.getvalue()

    return check


@pytest.fixture
def every_kind_of_row():
    """For tests that walk every admin page: at least one row of every model with an admin. A
    draft and a confirmed order (work orders, requirements, reservations), stock with a lot, a
    submitted BOM with lines and operations, and a draft one (a locked BOM's page has no line
    forms)."""
    plant = make_plant()
    BOMFactory(
        product=ItemFactory(),
        lines=[line(plant.frame)],
        operations=[op(plant.line_a)],
        status="draft",
    )
    make_order(plant, "2")
    order_services.production_order_confirm(order=make_order(plant, "1"))
    item = ItemFactory(tracking="lot")
    receive(item, 3, lot="L1")
    stock_reserve(
        lines=[(item, main_warehouse(), Decimal(1))], production_order_id=uuid.uuid4(), actor=None
    )
    # Planning: parameters, a demand and a run, so its plan, pegging and exceptions have rows.
    planning.planning_parameters_set(item=plant.frame, procurement="make", lead_time_days=1)
    planning.demand_create(
        item=plant.product, quantity=Decimal(5), due_date=datetime.date.today(), reference="D-1"
    )
    planning.mrp_run(run=planning.mrp_run_start(actor=None, background=False))
