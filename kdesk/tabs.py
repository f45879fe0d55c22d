"""The browser tab that caused the current request (its X-Kdesk-Tab header).

Set for each request by kdesk.middleware.OriginTabMiddleware; live pushes read it so that the
tab's own socket skips what the response renders itself, and only that."""

import contextvars

origin_tab = contextvars.ContextVar("origin_tab", default="")
