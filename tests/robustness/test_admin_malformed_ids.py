"""Every admin form that takes a reference to another row (a foreign key, an autocomplete, an
inline's line id), found by walking `admin.site._registry` and every URL each model admin
serves, answers a malformed id with the form shown again and an error on that field: never a
500, never a save.

Each form is posted as the page rendered it (so every other field holds a value the page
offered) with the one field replaced by `not-a-uuid`."""

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
MALFORMED = "not-a-uuid"
# What the walk must reach, so that it cannot silently test nothing: (view, field).
MUST_COVER = {
    ("inventory_stockmove_record", "item"),
    ("inventory_stockmove_record", "to_warehouse"),
    ("manufacturing_productionorder_add", "product"),
    ("manufacturing_productionorder_change", "bom"),
    ("manufacturing_bom_add", "product"),
    ("manufacturing_bom_change", "components-0-item"),
    ("manufacturing_bom_change", "components-0-id"),
    ("manufacturing_bom_change", "operations-0-workcenter"),
    ("items_item_change", "uom"),
    ("items_item_simple_history", "uom"),
}
SNAPSHOT_APPS = {"items", "inventory", "manufacturing", "config", "admin", "authtoken"}


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def snapshot() -> dict:
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in SNAPSHOT_APPS
    }


def page_forms(context) -> list[tuple[forms.BaseForm, bool]]:
    """The forms a page posts, each with whether its fields are inputs: the admin form and its
    inline formsets (a view-only inline's rows are shown, not read back), or a custom view's
    form."""
    found = []
    adminform = context.get("adminform")
    if adminform is not None:
        found.append((adminform.form, True))
        for inline in context.get("inline_admin_formsets") or []:
            found.append((inline.formset.management_form, True))
            found.extend((form, inline.has_change_permission) for form in inline.formset.forms)
    elif isinstance(context.get("form"), forms.BaseForm):
        found.append((context["form"], True))
    return found


def as_posted(forms_: list[tuple[forms.BaseForm, bool]]) -> dict:
    data = {}
    for form, _ in forms_:
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, forms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)
    return data


def reference_fields(forms_: list[tuple[forms.BaseForm, bool]]) -> list[str]:
    return [
        bound.html_name
        for form, editable in forms_
        if editable
        for bound in form
        if isinstance(bound.field, forms.ModelChoiceField)
    ]


def field_errors(forms_: list[tuple[forms.BaseForm, bool]], html_name: str) -> list[str]:
    for form, _ in forms_:
        for bound in form:
            if bound.html_name == html_name:
                return list(bound.errors)
    raise AssertionError(f"{html_name} is not on the page any more")


def object_for(model_admin, request, client) -> tuple[object, int]:
    """The row whose change page offers the most reference fields (e.g. the draft order, not the
    confirmed one whose fields are read-only)."""
    best, best_count = None, 0
    for obj in model_admin.get_queryset(request):
        if not model_admin.has_change_permission(request, obj):
            continue
        opts = model_admin.opts
        page = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        count = len(reference_fields(page_forms(page.context)))
        if count > best_count:
            best, best_count = obj, count
    return best, best_count


def url_arguments(pattern, obj) -> dict | None:
    """Fill a model admin URL's arguments from `obj` (an object id, and a history id for
    django-simple-history's revert form, whose two groups are positional): `{"args": …}` or
    `{"kwargs": …}`, None when it needs an argument we cannot give."""
    regex = pattern.pattern.regex
    if regex.groups == 0:
        return {}
    if obj is None:
        return None
    history_id = None
    if hasattr(obj, "history"):
        history_id = str(obj.history.latest("history_date").history_id)
    values = {"object_id": str(obj.pk), "history_id": history_id}
    if regex.groupindex:
        if set(regex.groupindex) - {"object_id", "history_id"}:
            return None
        kwargs = {name: values[name] for name in regex.groupindex}
        return None if None in kwargs.values() else {"kwargs": kwargs}
    args = [values["object_id"], values["history_id"]][: regex.groups]
    return None if None in args or regex.groups > 2 else {"args": args}


def test_a_malformed_id_in_any_admin_form_is_a_form_error(
    admin_client, admin_user, rf, every_kind_of_row
):
    request = rf.get("/admin/")
    request.user = admin_user
    covered, failures = set(), []
    before = snapshot()  # reading pages writes nothing: every refused post must leave this
    for model, model_admin in admin.site._registry.items():
        obj, _ = object_for(model_admin, request, admin_client)
        for pattern in model_admin.get_urls():
            if not pattern.name:
                continue
            arguments = url_arguments(pattern, obj)
            if arguments is None:
                continue
            url = reverse(f"admin:{pattern.name}", **arguments)
            page = admin_client.get(url)
            if page.status_code != 200 or page.context is None:
                continue
            shown = page_forms(page.context)
            for field in reference_fields(shown):
                data = {**as_posted(shown), field: MALFORMED}

                response = admin_client.post(url, data)

                where = f"{model._meta.label} {pattern.name} {field}"
                if response.status_code != 200:
                    failures.append(f"{where}: {response.status_code}")
                    continue
                errors = field_errors(page_forms(response.context), field)
                if not errors:
                    failures.append(f"{where}: no error on the field")
                if snapshot() != before:
                    failures.append(f"{where}: something was saved")
                covered.add((pattern.name, field))

    assert not failures, "\n".join(failures)
    assert covered >= MUST_COVER, MUST_COVER - covered


def test_a_malformed_id_in_any_admin_url_is_not_a_500(admin_client, every_kind_of_row):
    """Every model admin URL that takes ids (change, delete, history, a history version, the
    object redirect), given `not-a-uuid` for each: the admin's "not found" (a redirect with a
    message, or a 404), never a 500."""
    answered = {}
    for model_admin in admin.site._registry.values():
        for pattern in model_admin.get_urls():
            regex = pattern.pattern.regex
            if not pattern.name or regex.groups == 0:
                continue
            arguments = (
                {"kwargs": dict.fromkeys(regex.groupindex, MALFORMED)}
                if regex.groupindex
                else {"args": [MALFORMED] * regex.groups}
            )
            for method in ("get", "post"):
                url = reverse(f"admin:{pattern.name}", **arguments)
                answered[(method, pattern.name)] = getattr(admin_client, method)(url).status_code

    assert {key: status for key, status in answered.items() if status >= 500} == {}
    assert answered[("get", "manufacturing_bom_change")] == 302
    assert answered[("get", "items_item_simple_history")] == 404
    assert {name for _, name in answered} >= {
        f"{opts.app_label}_{opts.model_name}_{view}"
        for opts in (model._meta for model in admin.site._registry)
        for view in ("change", "delete", "history")
    }
