"""The typed custom-attribute engine. Pure Python: importing it needs no Django settings.

attribute_type("orderTotalNum") -> "Num"
normalize_definitions({name: metadata}) -> (definitions, errors)
compile_validator(definitions).validate(values, creating=..., partial=...)
    -> ValidationResult(cleaned, errors, undefined)
ValidatorCache().get((org_id, resource), rev, lambda: definitions)
check_existing(old_definitions, new_definitions, rows) -> ids of rows that would break
"""

from klasses.schema.cache import ValidatorCache
from klasses.schema.definitions import normalize_definition, normalize_definitions
from klasses.schema.errors import Error, UnknownAttributeType
from klasses.schema.existing import changed_definitions, check_existing, violations
from klasses.schema.types import (
    ATTRIBUTE_TYPES,
    SUFFIXES,
    AttributeType,
    attribute_type,
    default_display_name,
)
from klasses.schema.validator import (
    Result,
    ValidationResult,
    Validator,
    compile_attribute,
    compile_validator,
)

__all__ = [
    "ATTRIBUTE_TYPES",
    "SUFFIXES",
    "AttributeType",
    "Error",
    "Result",
    "UnknownAttributeType",
    "ValidationResult",
    "Validator",
    "ValidatorCache",
    "attribute_type",
    "changed_definitions",
    "check_existing",
    "compile_attribute",
    "compile_validator",
    "default_display_name",
    "normalize_definition",
    "normalize_definitions",
    "violations",
]
