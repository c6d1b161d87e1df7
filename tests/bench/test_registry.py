from bench.registry import PARTS, Part, missing, register_part, unavailable


def test_a_requirement_on_a_module_or_model_that_does_not_exist_names_it():
    assert missing("no_such_app.models:BOM") == "needs no_such_app.models (not importable)"
    assert missing("items.models:NoSuchModel") == "needs items.models.NoSuchModel"


def test_a_scenario_is_unavailable_through_the_parts_it_needs(monkeypatch):
    monkeypatch.setitem(PARTS, "base", Part("base", lambda ctx: None))
    monkeypatch.setitem(
        PARTS, "later", Part("later", lambda ctx: None, requires=("no_such_app.models:X",))
    )
    monkeypatch.setitem(PARTS, "top", Part("top", lambda ctx: None, after=("later",)))

    assert unavailable((), ("base",)) is None
    assert unavailable((), ("base", "top")) == "needs no_such_app.models (not importable)"
    assert unavailable((), ("nope",)) == "unknown dataset part 'nope'"


def test_register_part_replaces_by_name(monkeypatch):
    monkeypatch.setattr("bench.registry.PARTS", {})
    from bench import registry

    register_part(Part("x", lambda ctx: 1))
    register_part(Part("x", lambda ctx: 2))

    assert registry.PARTS["x"].build(None) == 2
