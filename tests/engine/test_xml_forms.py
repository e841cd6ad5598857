"""xmlsafe.parse_xml on its own, and form validation with validate_form."""

import pytest

from service.engine import GENERIC_FORM, DefinitionInvalid, validate_form
from service.engine.xmlsafe import parse_xml

# xmlsafe ---------------------------------------------------------------------------------------


def test_plain_xml_parses():
    root = parse_xml('<?xml version="1.0"?><a x="1"><b>text</b><b/></a>')
    assert (root.tag, root.get("x"), [b.text for b in root]) == ("a", "1", ["text", None])


def test_str_and_bytes_both_parse():
    assert parse_xml(b"<a>\xe4\xb8\xad</a>").text == parse_xml("<a>中</a>").text == "中"


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?>\n<!DOCTYPE a>\n<a/>',
        '<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>',
        "<!doctype a><a/>",
        "<!  DOCTYPE a><a/>",
    ],
)
def test_doctype_is_refused(xml):
    with pytest.raises(DefinitionInvalid) as caught:
        parse_xml(xml)
    (finding,) = caught.value.findings
    assert finding.element_id is None and "DOCTYPE" in finding.message


@pytest.mark.parametrize(
    "xml",
    [
        '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>',
        '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
        '<!DOCTYPE a [<!ENTITY % p SYSTEM "http://example.invalid/p"> %p;]><a/>',
    ],
)
def test_entity_declarations_are_refused(xml):
    with pytest.raises(DefinitionInvalid) as caught:
        parse_xml(xml)
    assert "ENTITY" in caught.value.findings[0].message
    assert "root:" not in str(caught.value) and "boom" not in str(caught.value)


def test_undeclared_entity_is_not_well_formed():
    with pytest.raises(DefinitionInvalid) as caught:
        parse_xml("<a>&xxe;</a>")
    assert caught.value.findings[0].message.startswith("not well-formed XML")


@pytest.mark.parametrize("xml", ["", "<a>", "<a></b>", "not xml at all"])
def test_malformed_xml_is_refused(xml):
    with pytest.raises(DefinitionInvalid) as caught:
        parse_xml(xml)
    assert caught.value.findings[0].message.startswith("not well-formed XML")


# forms -----------------------------------------------------------------------------------------


def test_valid_submission_has_no_errors(forms):
    assert validate_form(forms["simple_form.json"], {"title": "Q3 plan", "amount": 3}) == {}


def test_wrong_types_are_keyed_by_field(forms):
    errors = validate_form(forms["simple_form.json"], {"title": 5, "amount": "three"})
    assert errors == {
        "title": "5 is not of type 'string'",
        "amount": "'three' is not of type 'integer'",
    }


def test_missing_required_field_is_keyed_by_that_field(forms):
    assert validate_form(forms["simple_form.json"], {"title": "x"}) == {
        "amount": "'amount' is a required property"
    }
    assert set(validate_form(forms["simple_form.json"], {})) == {"title", "amount"}


def test_constraints_are_checked(forms):
    errors = validate_form(forms["simple_form.json"], {"title": "", "amount": -1})
    assert errors == {
        "title": "'' should be non-empty",
        "amount": "-1 is less than the minimum of 0",
    }


def test_nested_errors_have_dotted_paths(forms):
    errors = validate_form(
        forms["items_form.json"], {"items": [{"name": "a", "owner": "x"}, {"name": 3}]}
    )
    assert errors == {
        "items.1.name": "3 is not of type 'string'",
        "items.1.owner": "'owner' is a required property",
    }


def test_no_form_means_the_generic_form():
    assert validate_form(None, {"comment": "ok", "done": True}) == {}
    assert validate_form(None, {"done": "yes"}) == {"done": "'yes' is not of type 'boolean'"}
    assert GENERIC_FORM["properties"].keys() == {"comment", "done"}
