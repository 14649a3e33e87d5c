"""An API answer checked against ``/api/schema/`` as the fuzzing checks it (``tests/fuzz``), for
unit tests that pin what ``make fuzz`` found: ``assert_conforms(response, "/api/v1/...")``.

The schema is OpenAPI 3.0 (drf-spectacular): ``nullable`` becomes JSON Schema's ``null`` type,
then ``jsonschema`` validates the body against the operation's documented answer.
"""

from __future__ import annotations

import functools

import jsonschema

#: OpenAPI's own keywords that JSON Schema does not know (``nullable`` is translated).
OPENAPI_ONLY = {"nullable", "readOnly", "writeOnly", "example", "discriminator", "xml"}


@functools.cache
def api_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)


def _json_schema(node):
    if isinstance(node, list):
        return [_json_schema(each) for each in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key not in OPENAPI_ONLY}
    if isinstance(node.get("properties"), dict):  # field names, never keywords
        converted["properties"] = {
            name: _json_schema(field) for name, field in node["properties"].items()
        }
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def assert_conforms(response, path: str, method: str = "get") -> None:
    """``response`` (Django's test client) has a status its operation documents and a body that
    matches the documented schema; ``path`` is the schema's template (``/api/v1/x/{id}/``)."""
    schema = api_schema()
    answers = schema["paths"][path][method.lower()]["responses"]
    status = str(response.status_code)
    assert status in answers, f"{method.upper()} {path}: {status} is not documented"
    documented = answers[status]["content"]["application/json"]["schema"]
    root = {
        **_json_schema(documented),
        "components": {
            "schemas": {
                name: _json_schema(component)
                for name, component in schema["components"]["schemas"].items()
            }
        },
    }
    jsonschema.validate(response.json(), root)
