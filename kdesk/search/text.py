"""Free-text search for people: accent- and case-insensitive, every word of the query matching
somewhere (name, email, phone, external id) in any order, ranked.

`fold(text)` is the one normalisation; in SQL the same is `kdesk_unaccent(lower(column))`:
on PostgreSQL an IMMUTABLE wrapper around the `unaccent` extension (customers migration 0003,
with pg_trgm GIN indexes so `LIKE '%word%'` is an index scan); on SQLite a deterministic
function registered on every connection (`register_sqlite`), which folds as `fold` does.
"""

import unicodedata

from django.db.models import CharField, Func

MAX_WORDS = 8
MAX_WORD = 100

# Letters unaccent maps that Unicode decomposition leaves whole.
_EXTRA = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i"}
)


def fold(text):
    """Lowercase without accents: "Fernández" → "fernandez", "Øster" → "oster"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_EXTRA)


def words(q):
    """The folded words of a query, each once, in order (at most MAX_WORDS)."""
    out = []
    for word in fold(q or "").split():
        word = word[:MAX_WORD]
        if word not in out:
            out.append(word)
    return out[:MAX_WORDS]


class Folded(Func):
    """fold(column) in SQL: kdesk_unaccent(lower(column))."""

    template = "kdesk_unaccent(LOWER(%(expressions)s))"
    output_field = CharField()


def register_sqlite(sender, connection, **kwargs):
    """`connection_created`: give SQLite the kdesk_unaccent function PostgreSQL gets from its
    migration (LOWER is applied first by the SQL, as there)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("kdesk_unaccent", 1, fold, deterministic=True)
