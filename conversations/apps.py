from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"

    def ready(self):
        from conversations.resources import RESOURCES
        from kdesk import resources

        resources.register(*RESOURCES)
        from conversations.services import conversations_unassign_team
        from kdesk.services import on_team_delete

        on_team_delete(conversations_unassign_team)
