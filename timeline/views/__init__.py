"""The agent desk pages and the htmx partials they swap, one module per topic: inbox,
customers (list, new), customer (page, timeline), conversation (panel), compose, attributes
(insights panel edits), cards, notifications, shortcuts. Writes go through the services, reads
through the selectors; every lookup is scoped to the signed-in user's organization (another
org's id is a 404). urls.py names each view by its module."""
