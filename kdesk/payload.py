"""Small checks for flat API payloads; each collects FieldErrors instead of raising so that a
service can report every problem at once."""

from kdesk.errors import FieldError, ValidationFailed
from kdesk.text import NUL, nul_detail

MAX_ID = 2**63 - 1


def as_id(value):
    """The integer id in `value` (an int, or a string of ASCII digits), or None: no Unicode
    digits, no bools, nothing past a 64-bit key."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def integral(value):
    """An int from JSON, or None: `264.0` is the integer 264 (JSON Schema's `integer` admits it,
    and JSON itself has one number type); booleans and fractions are not integers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return None


class Payload:
    def __init__(self, data, *, allowed, pointer=""):
        self.errors = []
        self.pointer = pointer
        if not isinstance(data, dict):
            self.errors.append(
                FieldError(pointer or "", "invalid", "The body must be a JSON object.")
            )
            data = {}
        self.data = data
        for key in data:
            if key not in allowed:
                self.errors.append(
                    FieldError(f"{pointer}/{key}", "unknown", f"Unknown attribute '{key}'.")
                )

    def has(self, key):
        return key in self.data

    def error(self, key, code, detail):
        self.errors.append(FieldError(f"{self.pointer}/{key}", code, detail))

    def string(self, key, *, max_length=255, required=False, blank=True, default=None):
        if key not in self.data or self.data[key] is None:
            if required:
                self.error(key, "required", f"{key} is required.")
            return default
        value = self.data[key]
        if not isinstance(value, str):
            self.error(key, "type", f"{key} must be a string.")
            return default
        if NUL in value:
            # Refused here, before any lookup by this value can reach the database.
            self.error(key, "nul_character", nul_detail("This text"))
            return default
        # measured as sent, spaces included: that is what the document's maxLength says
        if len(value) > max_length:
            self.error(key, "max_length", f"{key} must be at most {max_length} characters.")
        value = value.strip()
        if not blank and not value:
            self.error(key, "required", f"{key} may not be blank.")
        return value

    def integer(self, key, *, minimum=None, maximum=None, default=None):
        if key not in self.data or self.data[key] is None:
            return default
        value = integral(self.data[key])
        if value is None:
            self.error(key, "type", f"{key} must be an integer.")
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.error(key, "range", f"{key} must be between {minimum} and {maximum}.")
        return value

    def boolean(self, key, default=None):
        if key not in self.data or self.data[key] is None:
            return default
        if not isinstance(self.data[key], bool):
            self.error(key, "type", f"{key} must be true or false.")
            return default
        return self.data[key]

    def choice(self, key, choices, default=None, required=False):
        value = self.string(key, required=required, default=default)
        if value is not None and value not in choices and key in self.data:
            self.error(key, "invalid", f"{key} must be one of: {', '.join(choices)}.")
            return default
        return value

    def strings(self, key, *, max_items=100, max_length=255):
        if key not in self.data or self.data[key] is None:
            return None
        value = self.data[key]
        if not isinstance(value, list) or len(value) > max_items:
            self.error(key, "type", f"{key} must be a list of at most {max_items} strings.")
            return None
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and NUL in item:
                self.errors.append(
                    FieldError(
                        f"{self.pointer}/{key}/{i}", "nul_character", nul_detail("This text")
                    )
                )
            elif not isinstance(item, str) or not item.strip() or len(item) > max_length:
                self.errors.append(
                    FieldError(
                        f"{self.pointer}/{key}/{i}", "invalid", "must be a non-empty string."
                    )
                )
            else:
                out.append(item.strip())
        return list(dict.fromkeys(out))

    def objects(self, key, *, max_items=100):
        if key not in self.data or self.data[key] is None:
            return None
        value = self.data[key]
        if not isinstance(value, list) or len(value) > max_items:
            self.error(key, "type", f"{key} must be a list of at most {max_items} objects.")
            return None
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.errors.append(
                    FieldError(f"{self.pointer}/{key}/{i}", "type", "must be an object.")
                )
            else:
                out.append(item)
        return out

    def obj(self, key):
        if key not in self.data or self.data[key] is None:
            return None
        if not isinstance(self.data[key], dict):
            self.error(key, "type", f"{key} must be an object.")
            return None
        return self.data[key]

    def reference(self, key):
        """An id given as a string or an integer; returns the int or None."""
        if key not in self.data or self.data[key] in (None, ""):
            return None
        value = self.data[key]
        if isinstance(value, dict):  # JSON:API style {"type", "id"}
            value = value.get("id")
        number = as_id(value)
        if number is None:
            self.error(key, "invalid", f"{key} must be an id.")
        return number

    def raise_if_errors(self, extra=()):
        errors = [*self.errors, *extra]
        if errors:
            raise ValidationFailed(errors)
