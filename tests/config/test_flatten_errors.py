from config.api.exceptions import flatten_errors


def test_nested_serializer_errors_become_dotted_camel_case_paths():
    detail = {"components": [{}, {"scrap_pct": ["Must be below 100."]}], "non_field_errors": ["x"]}

    assert flatten_errors(detail) == {
        "components[1].scrapPct": ["Must be below 100."],
        "nonFieldErrors": ["x"],
    }


def test_list_field_children_keyed_by_index_are_list_positions():
    detail = {"lines": {0: {"item_id": ["Unknown item."]}, 3: ["Not a number."]}}

    assert flatten_errors(detail) == {
        "lines[0].itemId": ["Unknown item."],
        "lines[3]": ["Not a number."],
    }
