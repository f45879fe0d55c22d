"""Search over customers, companies, conversations, messages, notes and KObjects.

See `kdesk.search.engine` for the criteria grammar and the exact incremental-sync pattern.
"""

from kdesk.search.engine import (
    Page,
    SearchPlan,
    compile_search,
    query_context,
    search,
    search_cursor,
    search_page,
)

__all__ = [
    "Page",
    "SearchPlan",
    "compile_search",
    "query_context",
    "search",
    "search_cursor",
    "search_page",
]
