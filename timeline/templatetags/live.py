"""`{% live_last %}`: the reconnect cursor of what <body> follows for every signed-in page (the
bell). Any page may render it, whichever view served the page, so it is a tag, not a context
variable."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def live_last(context):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    from timeline.live import last_event_id

    return last_event_id(user.org_id)
