"""What every page's navigation bar shows from conversations: the bell's unread count."""

from conversations.selectors import unread_notification_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notification_count(org=user.org_id, user=user)}
