"""The one door to the custom-attribute engine for every other app.

CONTRACT (kept stable; the klasses engineer implements it over klasses.schema and the stored
definitions):

clean_custom(*, org, resource, values, pointer="/custom", creating=False) -> dict
    Validate `values` (a dict of custom attributes) for `resource` ("customer", "company",
    "conversation", "message" or "kobject.<klass name>") of `org` with the cached compiled
    validator. Returns the cleaned dict (defaults applied when creating, At normalised to UTC...).
    Raises kdesk.errors.ValidationFailed with EVERY error, each with its JSON pointer under
    `pointer`. Records definitions for valid attributes written without one. Must be called
    inside the caller's transaction.

check_rules(*, org, resource, action, record, changed) -> list[kdesk.errors.FieldError]
    Validation rules ("required before a conversation is set to done", "required on create").
    `action` is "create" or "update"; `record` is the resource's flat API attributes after the
    write (camelCase, with "custom": {...}); `changed` the set of changed attribute names.
    Returns the errors (empty when the write may go ahead); callers raise ValidationFailed.
"""


def clean_custom(*, org, resource, values, pointer="/custom", creating=False):
    from kdesk.errors import FieldError, ValidationFailed

    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValidationFailed([FieldError(pointer, "invalid", "Must be an object.")])
    return dict(values)


def check_rules(*, org, resource, action, record, changed):
    return []
