"""The search engine behind `POST /v1/customers/search`: criteria → one ORM query, paged.

    plan = compile_search(org=org, body={...})          # ValidationFailed lists every problem
    page = search_page(plan, page=1, size=100)          # count + page: 2 queries
    walk = search_cursor(plan, cursor=None, size=100)   # keyset continuation: 1 query

A body is `{"queryContext": ctx, "and": [...], "or": [...], "sort": [{field: dir}], "klass": k}`.
`and` entries must all hold, at least one `or` entry must hold (when any are given); an entry
is `{"<ctx>_<field>": {"<op>": value, ...}}` (several ops or fields in one entry: all must
hold) or a nested `{"and": [...]}` / `{"or": [...]}`.

Incremental sync — the exact pattern
------------------------------------
Sort by `<ctx>_updated_at` ascending (the engine always adds `id` as a tiebreaker, so the order
is total) with `<ctx>_updated_at gte <bookmark>`. Such a "sync search" answers with
`meta.cursor.next` = the position (updated_at with microseconds, id) of its last row; pass it back
as `?cursor=` to continue: the next page holds rows strictly after that position. Because a row
that changes gets a later updated_at, it moves behind the cursor and is returned again (it
changed) — and no row is ever skipped, whatever is updated while the walk goes on. When a page
comes back with fewer rows than asked, the walk has caught up; keep `meta.cursor.next` as the
bookmark and resume from it later.

Rows are stamped with `updated_at` before their transaction commits, so a row can become
visible a little after rows with later stamps. A sync search therefore only returns rows whose
updated_at is at least `SEARCH_SYNC_SETTLE_SECONDS` (default 2 s) old; younger rows are returned
by the next calls, once every transaction that could stamp an earlier time has committed. Page-
number pagination (`?page=`) of a sync search applies the same rule but can still skip rows that
move between pages; the cursor cannot.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import F, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Collate
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone

from kdesk.errors import FieldError, ValidationFailed
from kdesk.search.expressions import JsonArrayHas, JsonArrayNonEmpty, JsonNumber, JsonText
from kdesk.search.fields import (
    CRITERION_OPS,
    KIND_OPS,
    OPS,
    SUFFIX_KIND,
    context_names,
    contexts,
    get_model,
)

MAX_DEPTH = 8
MAX_CRITERIA = 200
MAX_IN = 1000
MAX_TEXT = 1024
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
DEFAULT_SETTLE_SECONDS = 2.0
DEFAULT_COUNT_LIMIT = 10_000
TOP_LEVEL_KEYS = ("queryContext", "and", "or", "sort", "klass")
_COMPARE = {
    "gt": GreaterThan,
    "gte": GreaterThanOrEqual,
    "lt": LessThan,
    "lte": LessThanOrEqual,
}


def settle_seconds():
    return float(getattr(settings, "SEARCH_SYNC_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS))


def escape_pointer(key):
    return str(key).replace("~", "~0").replace("/", "~1")


class _Bad(Exception):  # noqa: N818  (control flow: one bad value)
    def __init__(self, detail, code="invalid"):
        self.detail = detail
        self.code = code


# ---- value coercion ----------------------------------------------------------------------


def _text(value):
    if not isinstance(value, str):
        raise _Bad("must be a string.")
    if len(value) > MAX_TEXT:
        raise _Bad(f"must be at most {MAX_TEXT} characters.")
    if "\x00" in value:
        raise _Bad("must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Bad("must not contain unpaired surrogates.") from None
    return value


def _int(value):
    if isinstance(value, bool):
        raise _Bad("must be an integer (ids may be given as strings).")
    if (
        isinstance(value, str)
        and value.strip().lstrip("-").isascii()
        and value.strip().lstrip("-").isdigit()
    ):
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise _Bad("must be an integer (ids may be given as strings).")
    if not INT_MIN <= value <= INT_MAX:
        raise _Bad("is out of range.")
    return value


def parse_datetime_value(value):
    """ISO-8601 → aware UTC datetime (microseconds kept); a date alone is midnight UTC."""
    if not isinstance(value, str) or not value or len(value) > 64 or "\x00" in value:
        raise _Bad('must be an ISO-8601 date-time string, e.g. "2024-05-01T12:00:00Z".')
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _Bad('must be an ISO-8601 date-time string, e.g. "2024-05-01T12:00:00Z".') from None


def _num(value):
    if isinstance(value, str):
        try:
            text = value.strip().lstrip("-")
            value = int(value) if text.isascii() and text.isdigit() else float(value)
        except ValueError:
            raise _Bad("must be a number.") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad("must be a number.")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad("must be a finite number.")
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        raise _Bad("is out of range.")
    return value


def _bool(value):
    if not isinstance(value, bool):
        raise _Bad("must be true or false.")
    return value


def _obj(value):
    if not isinstance(value, dict):
        raise _Bad("must be an object.")
    return value


# ---- the plan -------------------------------------------------------------------------------


@dataclass
class SearchPlan:
    context: str
    queryset: object  # filtered, ordered, `.values()` rows; not yet sliced or settled
    sync: bool  # sorted by updated_at asc (+ id): cursor-capable
    klass_name: str | None = None

    def serialize(self, rows):
        return serialize_rows(self.context, rows)


def query_context(body):
    """The queryContext of a search body, or ValidationFailed naming the valid ones."""
    if not isinstance(body, dict):
        raise ValidationFailed(
            [FieldError("", "invalid", "The search body must be a JSON object.")]
        )
    ctx = body.get("queryContext")
    if not isinstance(ctx, str) or ctx not in contexts():
        raise ValidationFailed(
            [
                FieldError(
                    "/queryContext",
                    "required" if ctx is None else "invalid",
                    f"queryContext must be one of {', '.join(context_names())}"
                    + ("." if ctx is None else f" (got {ctx!r})."),
                )
            ]
        )
    return ctx


def compile_search(*, org, body, using="default"):
    """Validate a search body and build its query. Raises one ValidationFailed with every
    problem (JSON pointers into the body)."""
    ctx = query_context(body)
    compiler = _Compiler(org, ctx, connections[using].vendor)
    errors = compiler.errors
    for key in body:
        if key not in TOP_LEVEL_KEYS:
            errors.append(
                FieldError(
                    f"/{escape_pointer(key)}",
                    "unknown",
                    f"Unknown search key {key!r}; a search body holds {', '.join(TOP_LEVEL_KEYS)}.",
                )
            )

    model = get_model(ctx)
    qs = model.objects.filter(org=org)
    klass_name = None
    if "klass" in body:
        klassed = [c.name for c in contexts().values() if "klass" in c.resource.criteria]
        if ctx not in klassed:
            errors.append(
                FieldError("/klass", "invalid", f"klass only applies to {', '.join(klassed)}.")
            )
        else:
            klass_name = body["klass"]
            if not isinstance(klass_name, str) or not klass_name:
                errors.append(FieldError("/klass", "invalid", "klass must be a Klass name."))
                klass_name = None

    conditions = []
    if "and" in body:
        q = compiler.group(body["and"], "/and", "and", 1)
        if q is not None:
            conditions.append(q)
    if "or" in body:
        q = compiler.group(body["or"], "/or", "or", 1)
        if q is not None:
            conditions.append(q)
    order, sync = compiler.sort(body.get("sort"))
    if errors:
        raise ValidationFailed(errors)

    if klass_name is not None:
        # The Klass is looked up first (one query) so that a wrong name is a 422, not an empty
        # page.
        criterion = compiler.resource.criteria["klass"]
        found = list(criterion.rows(org, None, value=klass_name)[:1])
        if not found:
            raise ValidationFailed(
                [FieldError("/klass", "not_found", f"There is no Klass named {klass_name!r}.")]
            )
        qs = qs.filter(**{criterion.column: next(iter(found[0].values()))})
    for q in conditions:
        qs = qs.filter(q)
    qs = qs.order_by(*order)
    qs = _values(ctx, qs)
    return SearchPlan(context=ctx, queryset=qs, sync=sync, klass_name=klass_name)


def _values(ctx, qs):
    resource = contexts()[ctx].resource
    return qs.values(*resource.fields, **resource.computed)


def serialize_rows(ctx, rows):
    represent = contexts()[ctx].resource.represent
    return [represent(r) for r in rows]


class _Compiler:
    def __init__(self, org, ctx, vendor):
        self.org = org
        self.ctx = ctx
        self.spec = contexts()[ctx]
        self.resource = self.spec.resource
        self.pg = vendor == "postgresql"
        self.errors = []
        self.count = 0

    def err(self, pointer, code, detail):
        self.errors.append(FieldError(pointer, code, detail))

    # ---- structure ----

    def group(self, items, pointer, connector, depth):
        if not isinstance(items, list):
            self.err(pointer, "invalid", f'"{connector}" must be a list of criteria.')
            return None
        parts = []
        for index, item in enumerate(items):
            q = self.entry(item, f"{pointer}/{index}", depth)
            if q is not None:
                parts.append(q)
        if not parts:
            return None
        out = parts[0]
        for q in parts[1:]:
            out = (out & q) if connector == "and" else (out | q)
        return out

    def entry(self, item, pointer, depth):
        if not isinstance(item, dict) or not item:
            self.err(
                pointer,
                "invalid",
                'A criterion is an object {"<field>": {"<operator>": value}}, or a nested '
                '{"and": [...]} / {"or": [...]}.',
            )
            return None
        parts = []
        for key, spec in item.items():
            here = f"{pointer}/{escape_pointer(key)}"
            if key in ("and", "or"):
                if depth >= MAX_DEPTH:
                    self.err(here, "too_deep", f"Groups may nest at most {MAX_DEPTH} levels.")
                    continue
                q = self.group(spec, here, key, depth + 1)
            else:
                self.count += 1
                if self.count > MAX_CRITERIA:
                    if self.count == MAX_CRITERIA + 1:
                        self.err(here, "too_many", f"At most {MAX_CRITERIA} criteria per search.")
                    continue
                q = self.criterion(key, spec, here)
            if q is not None:
                parts.append(q)
        if not parts:
            return None
        out = parts[0]
        for q in parts[1:]:
            out &= q
        return out

    # ---- fields ----

    def resolve(self, key, pointer):
        """(kind, target) for a field name, or None after reporting why it is unknown."""
        prefix = f"{self.ctx}_"
        if not isinstance(key, str) or not key.startswith(prefix):
            other = next(
                (c for c in context_names() if isinstance(key, str) and key.startswith(f"{c}_")),
                None,
            )
            if other and other != self.ctx:
                self.err(
                    pointer,
                    "unknown_field",
                    f"{key} belongs to the {other} context; this search's queryContext is "
                    f"{self.ctx}, so its fields start with {prefix}.",
                )
            else:
                self.err(
                    pointer, "unknown_field", f"Unknown field {key!r}: fields start with {prefix}."
                )
            return None
        rest = key[len(prefix) :]
        if rest in self.spec.fields:
            f = self.spec.fields[rest]
            return f.kind, f
        for column in self.spec.json_columns:
            head = f"{column}_"
            if rest.startswith(head):
                name = rest[len(head) :]
                try:
                    suffix = self.resource.attribute_type(name)
                except ValueError as exc:
                    self.err(pointer, "unknown_attribute_type", str(exc))
                    return None
                return SUFFIX_KIND[suffix], (column, name, suffix)
        extra = "".join(f", {prefix}{c}_<attributeName>" for c in self.spec.json_columns)
        self.err(
            pointer,
            "unknown_field",
            f"Unknown field {key!r}. Fields of {self.ctx}: "
            f"{', '.join(prefix + n for n in self.spec.fields)}{extra}.",
        )
        return None

    def criterion(self, key, spec, pointer):
        resolved = self.resolve(key, pointer)
        if resolved is None:
            return None
        kind, target = resolved
        valid = CRITERION_OPS if kind in self.resource.criteria else KIND_OPS[kind]
        if not isinstance(spec, dict) or not spec:
            self.err(
                pointer,
                "invalid",
                f'A criterion on {key} is an object {{"<operator>": value}}; operators: '
                f"{', '.join(valid)}.",
            )
            return None
        parts = []
        for op, value in spec.items():
            here = f"{pointer}/{escape_pointer(op)}"
            if op not in OPS:
                self.err(
                    here,
                    "unknown_operator",
                    f"Unknown operator {op!r}; valid operators for {key}: {', '.join(valid)}.",
                )
                continue
            if op not in valid:
                self.err(
                    here,
                    "invalid_operator",
                    f"{op} does not apply to {key}; valid operators: {', '.join(valid)}.",
                )
                continue
            try:
                q = self.build(kind, target, op, value)
            except _Bad as exc:
                self.err(here, exc.code, f"{key} {op}: {exc.detail}")
                continue
            parts.append(q)
        if not parts:
            return None
        out = parts[0]
        for q in parts[1:]:
            out &= q
        return out

    def build(self, kind, target, op, value):
        if kind in self.resource.criteria:
            return self.lookup(self.resource.criteria[kind], target, op, value)
        if op == "exists":
            present = self.exists(kind, target)
            return present if _bool(value) else ~present
        if op == "in":
            if not isinstance(value, list) or not value:
                raise _Bad("must be a non-empty list.")
            if len(value) > MAX_IN:
                raise _Bad(f"may list at most {MAX_IN} values.")
            return getattr(self, f"in_{kind}", self.in_any)(kind, target, value)
        return getattr(self, f"q_{kind}")(target, op, value)

    def in_any(self, kind, target, values):
        build = getattr(self, f"q_{kind}")
        out = None
        for index, v in enumerate(values):
            q = self._item(lambda x: build(target, "equals", x), v, index)
            out = q if out is None else (out | q)
        return out

    # ---- exists ----

    def exists(self, kind, target):
        if kind == "text":
            q = Q(**{f"{target.column}__isnull": False}) & ~Q(**{target.column: ""})
            return q
        if kind in ("int", "datetime"):
            return Q(**{f"{target.column}__isnull": False})
        if kind == "array":
            return Q(JsonArrayNonEmpty(target.column))
        column, name, _ = target
        return Q(**{f"{column}__{name}__isnull": False}) & ~Q(**{f"{column}__{name}": None})

    # ---- standard fields ----

    def _scalar(self, target, op, value, coerce):
        col = target.column
        if op == "equals":
            return Q(**{col: coerce(value)})
        if op == "not_equals":
            return ~Q(**{col: coerce(value)})
        if op == "contains":
            return Q(**{f"{col}__icontains": coerce(value)})
        if op == "starts_with":
            return Q(**{f"{col}__istartswith": coerce(value)})
        return Q(**{f"{col}__{op}": coerce(value)})

    def q_text(self, target, op, value):
        return self._scalar(target, op, value, _text)

    def in_text(self, kind, target, values):
        return Q(
            **{f"{target.column}__in": [self._item(_text, v, i) for i, v in enumerate(values)]}
        )

    def q_int(self, target, op, value):
        return self._scalar(target, op, value, _int)

    def in_int(self, kind, target, values):
        return Q(**{f"{target.column}__in": [self._item(_int, v, i) for i, v in enumerate(values)]})

    def q_datetime(self, target, op, value):
        return self._scalar(target, op, value, parse_datetime_value)

    @staticmethod
    def _item(coerce, value, index):
        try:
            return coerce(value)
        except _Bad as exc:
            raise _Bad(f"item {index} {exc.detail}") from None

    def _element(self, target, value):
        return _int(value) if target.element == "int" else _text(value)

    def q_array(self, target, op, value):
        has = Q(JsonArrayHas(target.column, self._element(target, value)))
        return ~has if op == "not_equals" else has

    # ---- criteria the owning resource answers (customer identities, Klass names) ----

    def _clean(self, clean, value):
        try:
            return clean(value)
        except ValueError as exc:
            raise _Bad(str(exc)) from None

    def lookup(self, criterion, target, op, value):
        column, rows = criterion.column, criterion.rows
        if op == "exists":
            if criterion.exists is not None:
                present = criterion.exists(target.column)
            else:
                present = Q(**{f"{column}__in": rows(self.org, target.column)})
            return present if _bool(value) else ~present
        partial = criterion.clean_partial or (lambda text: text)

        def whole(raw):  # the stored form of one value compared whole (equals, in)
            text = _text(raw)
            if criterion.clean is None:
                return text
            return self._clean(lambda t: criterion.clean(target.column, t), text)

        if op == "in":
            if not isinstance(value, list) or not value:
                raise _Bad("must be a non-empty list.")
            if len(value) > MAX_IN:
                raise _Bad(f"may list at most {MAX_IN} values.")
            wanted = [self._item(whole, v, i) for i, v in enumerate(value)]
            return Q(**{f"{column}__in": rows(self.org, target.column, value__in=wanted)})
        if op in ("contains", "starts_with"):
            lookup = "value__icontains" if op == "contains" else "value__istartswith"
            cond = {lookup: self._clean(partial, _text(value))}
        else:
            cond = {"value": whole(value)}
        q = Q(**{f"{column}__in": rows(self.org, target.column, **cond)})
        return ~q if op == "not_equals" else q

    # ---- typed JSON attributes (custom, data) ----

    def _json_equals(self, column, name, value):
        """Containment on PostgreSQL (`custom @> {"tierStr": "gold"}`: the GIN index), the
        JSON value comparison elsewhere."""
        if self.pg:
            return Q(**{f"{column}__contains": {name: value}})
        return Q(**{f"{column}__{name}": value})

    def _json_not(self, kind, target, q):
        """Negation that also keeps rows without the attribute (or with null)."""
        return ~q | ~self.exists(kind, target)

    def q_json_text(self, target, op, value):
        column, name, suffix = target
        if suffix == "Id" and type(value) is int:
            value = str(value)
        value = _text(value)
        if op == "equals":
            return self._json_equals(column, name, value)
        if op == "not_equals":
            return self._json_not("json_text", target, self._json_equals(column, name, value))
        if op == "contains":
            return Q(IContains(JsonText(column, name), value))
        if op == "starts_with":
            return Q(IStartsWith(JsonText(column, name), value))
        return Q(_COMPARE[op](JsonText(column, name), value))

    def q_json_num(self, target, op, value):
        column, name, _ = target
        value = _num(value)
        if op in ("equals", "not_equals"):
            if self.pg:
                q = Q(**{f"{column}__contains": {name: value}})
            else:
                q = Q(Exact(JsonNumber(column, name), value))
            return q if op == "equals" else self._json_not("json_num", target, q)
        return Q(_COMPARE[op](JsonNumber(column, name), value))

    def q_json_at(self, target, op, value):
        column, name, suffix = target
        try:
            value = self.resource.attribute_value(suffix, value)
        except ValueError as exc:
            raise _Bad(f"must be an ISO-8601 date-time ({exc})") from None
        if op in ("equals", "not_equals"):
            q = self._json_equals(column, name, value)
            return q if op == "equals" else self._json_not("json_at", target, q)
        text = JsonText(column, name)
        if self.pg:  # stored as `YYYY-MM-DDTHH:MM:SS.mmmZ`: byte order is time order
            text = Collate(text, "C")
        return Q(_COMPARE[op](text, value))

    def q_json_bool(self, target, op, value):
        column, name, _ = target
        q = self._json_equals(column, name, _bool(value))
        return q if op == "equals" else self._json_not("json_bool", target, q)

    def q_json_obj(self, target, op, value):
        column, name, _ = target
        q = Q(**{f"{column}__{name}": _obj(value)})
        return q if op == "equals" else self._json_not("json_obj", target, q)

    # ---- sorting ----

    def sort(self, sort):
        """(order_by expressions, is_sync). Default: updated_at descending."""
        if sort is None or sort == []:
            return [F("updated_at").desc(), F("id").desc()], False
        if not isinstance(sort, list):
            sort = [sort] if isinstance(sort, dict) else sort
        if not isinstance(sort, list):
            self.err("/sort", "invalid", 'sort is a list of {"<field>": "asc"|"desc"}.')
            return [], False
        order, keys = [], []
        for index, item in enumerate(sort):
            pointer = f"/sort/{index}"
            if not isinstance(item, dict) or len(item) != 1:
                self.err(pointer, "invalid", 'A sort entry is {"<field>": "asc"|"desc"}.')
                continue
            ((key, direction),) = item.items()
            here = f"{pointer}/{escape_pointer(key)}"
            resolved = self.resolve(key, here)
            if resolved is None:
                continue
            if not isinstance(direction, str) or direction.lower() not in ("asc", "desc"):
                self.err(here, "invalid", 'The direction must be "asc" or "desc".')
                continue
            desc = direction.lower() == "desc"
            kind, target = resolved
            expr = self.sort_expression(kind, target, here)
            if expr is None:
                continue
            nullable = not (kind in ("int", "datetime", "text") and not target.nullable)
            if kind in self.resource.criteria:
                nullable = False
            if nullable:
                order.append(expr.desc(nulls_last=True) if desc else expr.asc(nulls_last=True))
            else:
                order.append(expr.desc() if desc else expr.asc())
            keys.append((kind, getattr(target, "column", None), desc))
        if not keys:
            return order, False
        last_desc = keys[-1][2]
        if keys[-1][:2] != ("int", "id"):
            order.append(F("id").desc() if last_desc else F("id").asc())
        sync = keys[0] == ("datetime", "updated_at", False) and (
            len(keys) == 1 or (len(keys) == 2 and keys[1] == ("int", "id", False))
        )
        return order, sync

    def sort_expression(self, kind, target, pointer):
        if kind in ("text", "int", "datetime"):
            if not target.sortable:
                self.err(pointer, "invalid", "This field cannot be sorted on.")
                return None
            return F(target.column)
        if kind in self.resource.criteria:
            sort_by = self.resource.criteria[kind].sort_by
            if not sort_by:
                self.err(pointer, "invalid", "This field cannot be sorted on.")
                return None
            return F(sort_by)
        if kind in ("array", "json_obj"):
            self.err(pointer, "invalid", "This field cannot be sorted on.")
            return None
        column, name, _ = target
        if kind == "json_num":
            return JsonNumber(column, name)
        if kind == "json_bool":
            return KeyTextTransform(name, column)  # 'false' < 'true' on both databases
        text = JsonText(column, name)
        if kind == "json_at" and self.pg:
            text = Collate(text, "C")
        return text


# ---- running a plan ---------------------------------------------------------------------


def _settled(plan):
    """A sync search only sees rows old enough that no transaction can still commit an earlier
    updated_at (see the module docstring)."""
    if not plan.sync:
        return plan.queryset
    horizon = timezone.now() - timedelta(seconds=settle_seconds())
    return plan.queryset.filter(updated_at__lte=horizon)


def encode_position(row):
    from kdesk.api.pagination import encode_cursor

    return encode_cursor([row["updated_at"].astimezone(UTC).isoformat(), row["id"]])


def decode_position(raw):
    from kdesk.api.pagination import decode_cursor

    value = decode_cursor(raw)
    bad = ValidationFailed(
        [FieldError("/cursor", "invalid", "The cursor is not one this search issued.")]
    )
    if not isinstance(value, list) or len(value) != 2:
        raise bad
    try:
        at = parse_datetime_value(value[0])
        pk = _int(value[1])
    except _Bad:
        raise bad from None
    return at, pk


@dataclass
class Page:
    data: list
    total: int | None
    next_cursor: str | None
    rows: int
    exact: bool = True


def count_limit():
    return int(getattr(settings, "SEARCH_COUNT_LIMIT", DEFAULT_COUNT_LIMIT))


def search_page(plan, *, page, size):
    """Page-number pagination: a count and a page (2 queries).

    Counting every match of a broad search over a million rows costs more than the page
    itself, so the count stops at `SEARCH_COUNT_LIMIT` (default 10,000) rows, or just past the
    requested page when that is deeper: `total` is exact below that and a lower bound
    (`exact=False`) at it — there is then always a next page to ask for."""
    qs = _settled(plan)
    limit = max(count_limit(), page * size) + 1
    total = qs.values("pk").order_by()[:limit].count()
    rows = list(qs[(page - 1) * size : page * size])
    next_cursor = encode_position(rows[-1]) if plan.sync and rows else None
    return Page(
        data=plan.serialize(rows),
        total=total,
        next_cursor=next_cursor,
        rows=len(rows),
        exact=total < limit,
    )


def search_cursor(plan, *, cursor, size):
    """Keyset continuation of a sync search: rows strictly after the cursor (1 query)."""
    if not plan.sync:
        ctx = plan.context
        raise ValidationFailed(
            [
                FieldError(
                    "/cursor",
                    "invalid",
                    f"A cursor continues a search sorted by {ctx}_updated_at ascending only.",
                )
            ]
        )
    qs = _settled(plan)
    if cursor:
        at, pk = decode_position(cursor)
        # `updated_at >= at` bounds the index range; the OR picks the rows after (at, pk).
        qs = qs.filter(Q(updated_at__gte=at), Q(updated_at__gt=at) | Q(id__gt=pk))
    rows = list(qs[:size])
    next_cursor = encode_position(rows[-1]) if rows else (cursor or None)
    return Page(data=plan.serialize(rows), total=None, next_cursor=next_cursor, rows=len(rows))


def search(*, org, body, page=1, size=100, cursor=None):
    """One call for in-process callers (bench, workflows): a Page."""
    plan = compile_search(org=org, body=body)
    if cursor is not None:
        return search_cursor(plan, cursor=cursor, size=size)
    return search_page(plan, page=page, size=size)
