def desk(request):
    """Counts the navigation bar shows on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": _unread(user)}


def _unread(user):
    try:
        from conversations.selectors import unread_notification_count
    except ImportError:
        return 0
    return unread_notification_count(org=user.org_id, user=user)
