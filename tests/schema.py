"""The API's OpenAPI schema as the tests check answers against it."""


def as_json_schema(node):
    """OpenAPI 3.0's dialect as JSON Schema, strict: ``nullable`` becomes a ``null``
    alternative, and an object takes no field its schema does not name unless it says it is
    open (``additionalProperties``)."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if "properties" in node and "additionalProperties" not in node:
        converted["additionalProperties"] = False
    return {"anyOf": [converted, {"type": "null"}]} if node.get("nullable") else converted
