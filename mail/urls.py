"""Pages of the email channel (`urlpatterns`) and its `/v1/` routes (`api_urlpatterns`)."""

from django.urls import path

from kdesk.api.routing import api_path
from mail import api, views

urlpatterns = [
    path("settings/mailboxes/", views.mailbox_list, name="settings-mailboxes"),
    path("settings/mailboxes/<int:pk>/", views.mailbox_detail, name="settings-mailbox"),
    path("settings/mailboxes/<int:pk>/delete/", views.mailbox_delete),
    path("settings/mailboxes/<int:pk>/fetch/", views.mailbox_fetch),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/<str:name>", views.attachment_download),
    path("desk/messages/<int:message_id>/email/", views.message_parts, name="message-email"),
]

api_urlpatterns = [
    *api_path("mailboxes", api.MailboxListView.as_view(), name="api-mailboxes"),
    *api_path("mailboxes/<int:pk>", api.MailboxDetailView.as_view(), name="api-mailbox"),
    *api_path("attachments", api.AttachmentListView.as_view(), name="api-attachments"),
    *api_path("attachments/<int:pk>", api.AttachmentDetailView.as_view(), name="api-attachment"),
    *api_path("attachments/<int:pk>/upload", api.AttachmentUploadView.as_view()),
    *api_path("attachments/<int:pk>/content", api.AttachmentContentView.as_view()),
]
