"""The OpenAPI 3.0 description of the read-only API; tests check every response against it."""
import copy

_NULLABLE_STR = {"type": "string", "nullable": True}
_ERROR = {"description": "An error",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _param(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _ok(ref: str) -> dict:
    return {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "integer"}, "message": {"type": "string"}}}},
    },
    "Process": {
        "type": "object", "required": ["id", "slug", "title", "description", "ideas_from", "ideas_until"],
        "properties": {
            "id": {"type": "integer"}, "slug": {"type": "string"}, "title": {"type": "string"},
            "description": {"type": "string"},
            "ideas_from": {**_NULLABLE_STR, "format": "date-time"},
            "ideas_until": {**_NULLABLE_STR, "format": "date-time"},
        },
    },
    "ActionField": {
        "type": "object", "required": ["slug", "name", "description", "colour", "goals", "responsible_office"],
        "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
            "colour": {"type": "string"}, "goals": {"type": "array", "items": {"type": "string"}},
            "responsible_office": _NULLABLE_STR,
        },
    },
    "Idea": {
        "type": "object",
        "required": ["id", "reference", "title", "text", "url", "process_id", "status", "status_label",
                     "action_field", "further_fields", "channel", "channel_label", "district", "supports",
                     "comments", "answer", "answer_published_at", "created_at", "decided_at"],
        "properties": {
            "id": {"type": "integer"}, "reference": _NULLABLE_STR, "title": {"type": "string"},
            "text": {"type": "string"}, "url": {"type": "string", "format": "uri"},
            "process_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["published", "under_review", "accepted", "rejected",
                                                  "implemented"]},
            "status_label": {"type": "string"},
            "action_field": {**_NULLABLE_STR, "description": "Slug of the primary action field"},
            "further_fields": {"type": "array", "items": {"type": "string"}},
            "channel": {"type": "string"}, "channel_label": {"type": "string"},
            "district": _NULLABLE_STR,
            "supports": {"type": "integer"}, "comments": {"type": "integer"},
            "answer": {**_NULLABLE_STR, "description": "The published answer as plain text"},
            "answer_published_at": {**_NULLABLE_STR, "format": "date-time"},
            "created_at": {"type": "string", "format": "date-time"},
            "decided_at": {**_NULLABLE_STR, "format": "date-time"},
        },
    },
    "ProcessList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Process"}}}},
    "ActionFieldList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ActionField"}}}},
    "IdeaPage": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "total_exact", "pages", "next_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Idea"}},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "total": {"type": "integer", "description": (
                "Matching ideas, counted up to 10,000 (a search: its newest 200 matches)")},
            "total_exact": {"type": "boolean", "description": "false when more ideas match than total says"},
            "pages": {"type": "integer", "description": "Pages of total; at least this many when total is not exact"},
            "next_page": {"type": "integer", "nullable": True,
                          "description": "The next page's number, null on the last page"},
        },
    },
    "OpenData": {"type": "object", "required": ["licence", "items"], "properties": {
        "licence": {"type": "string"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Idea"}}}},
}

_PROCESS = _param("process", "Slug of a process", {"type": "string"})


def document() -> dict:
    """A fresh copy of the document, so no caller can change it for the next one."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Ideenfenster open data API",
            "version": "1.0.0",
            "description": "Read-only access to published ideas, their answers and the action fields. "
                           "Contains no personal data.",
        },
        "paths": {
            "/api/v1/processes": {"get": {
                "summary": "All participation processes", "operationId": "listProcesses",
                "responses": {"200": _ok("ProcessList")}}},
            "/api/v1/action-fields": {"get": {
                "summary": "The action fields of a process", "operationId": "listActionFields",
                "parameters": [{**_PROCESS, "required": True}],
                "responses": {"200": _ok("ActionFieldList"), "400": _ERROR, "404": _ERROR}}},
            "/api/v1/ideas": {"get": {
                "summary": "Public ideas, one page at a time", "operationId": "listIdeas",
                "parameters": [
                    _PROCESS,
                    _param("field", "Slug of an action field (needs process)", {"type": "string"}),
                    _param("status", "A public status", SCHEMAS["Idea"]["properties"]["status"]),
                    _param("q", "Search words", {"type": "string", "maxLength": 200}),
                    _param("sort", "Order", {"type": "string", "enum": ["newest", "supported", "discussed",
                                                                        "trending"], "default": "newest"}),
                    _param("page", "Page number", {"type": "integer", "minimum": 1, "default": 1}),
                    _param("per_page", "Ideas per page", {"type": "integer", "minimum": 1, "maximum": 100,
                                                          "default": 20}),
                ],
                "responses": {"200": _ok("IdeaPage"), "400": _ERROR, "404": _ERROR}}},
            "/api/v1/ideas/{id}": {"get": {
                "summary": "One public idea", "operationId": "getIdea",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": _ok("Idea"), "404": _ERROR}}},
            "/open-data/ideas.json": {"get": {
                "summary": "All published ideas as open data", "operationId": "openDataIdeas",
                "parameters": [_PROCESS],
                "responses": {"200": _ok("OpenData"), "404": _ERROR}}},
        },
        "components": {"schemas": copy.deepcopy(SCHEMAS)},
    }
