"""Services speak snake_case field paths; the API camelizes them once, in its exception
handler; the admin and the CSV import read them with `field_path_parse`."""

import ast
import pathlib

import pytest

from config.api.exceptions import domain_problem
from config.exceptions import FieldPath, ValidationFailed, field_path_parse

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("path", "parsed"),
    [
        ("product_id", FieldPath(field="product_id")),
        ("components[1].quantity", FieldPath("components", 1, "quantity")),
        ("operations[12].duration_minutes", FieldPath("operations", 12, "duration_minutes")),
        ("tags[2]", FieldPath("tags", 2, "")),
        ("odd[x].y", FieldPath(field="odd[x].y")),
        ("open[3", FieldPath(field="open[3")),
    ],
)
def test_field_path_parse(path, parsed):
    assert field_path_parse(path) == parsed


def test_the_handler_camelizes_paths_in_errors_and_at_the_start_of_detail():
    error = ValidationFailed(
        "components[1].product_id: X is archived.",
        errors={"components[1].product_id": ["X is archived."], "due_date": ["Too early."]},
    )

    body = domain_problem(error).data

    assert body["errors"] == {
        "components[1].productId": ["X is archived."],
        "dueDate": ["Too early."],
    }
    assert body["detail"] == "components[1].productId: X is archived."
    assert error.errors == {  # the service's own error is left as it was raised
        "components[1].product_id": ["X is archived."],
        "due_date": ["Too early."],
    }


# Where services and the input boundary name fields: `errors={…}` keys, the first argument of
# the `invalid` helpers and the `field=` / `path=` arguments of the parsers.
SOURCES = [
    "items/services.py",
    "items/units.py",
    "inventory/services",
    "manufacturing/boms/services.py",
    "manufacturing/boms/references.py",
    "manufacturing/boms/specs.py",
    "manufacturing/orders/services.py",
    "manufacturing/planning/services.py",
    "config/levels.py",
]
# The position of the field argument of each helper that raises about a field.
FIELD_HELPERS = {
    "invalid": 0,
    "_invalid": 0,
    "default_warehouse_or_error": 0,
    "check_stockable": 1,
    "check_warehouse_usable": 1,
    "clean_text": 1,
}


def _field_names(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "errors":
            if isinstance(node.value, ast.Dict):
                yield from (key for key in node.value.keys if key is not None)
        elif isinstance(node, ast.keyword) and node.arg in {"field", "path"}:
            yield node.value
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in FIELD_HELPERS:
            position = FIELD_HELPERS[node.func.id]
            if len(node.args) > position:
                yield node.args[position]
        elif isinstance(node, ast.Subscript) and getattr(node.value, "id", None) == "errors":
            yield node.slice


def _literal_parts(node: ast.AST):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from _literal_parts(part)


def test_services_raise_snake_case_field_paths():
    files = []
    for source in SOURCES:
        path = ROOT / source
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    found, camel = 0, []
    for file in files:
        for node in _field_names(ast.parse(file.read_text())):
            for text in _literal_parts(node):
                found += 1
                if text != text.lower():
                    camel.append(f"{file.relative_to(ROOT)}:{node.lineno}: {text!r}")
    assert found > 40  # the scan sees the services' field names
    assert camel == []
