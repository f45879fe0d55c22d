"""The typed custom-attribute engine (pure Python; no Django imports at module level)."""

from klasses.schema.definitions import Error, normalize_definition, normalize_definitions
from klasses.schema.types import (
    SUFFIXES,
    UnknownAttributeType,
    attribute_type,
    default_display_name,
)
from klasses.schema.validator import (
    Result,
    Validator,
    ValidatorCache,
    compile_attribute,
    compile_validator,
    violations,
)

__all__ = [
    "SUFFIXES",
    "Error",
    "Result",
    "UnknownAttributeType",
    "Validator",
    "ValidatorCache",
    "attribute_type",
    "compile_attribute",
    "compile_validator",
    "default_display_name",
    "normalize_definition",
    "normalize_definitions",
    "violations",
]
