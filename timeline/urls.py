"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

urlpatterns = []
api_urlpatterns = []
