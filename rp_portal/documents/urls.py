from django.urls import path

from rp_portal.documents import views

app_name = "documents"
urlpatterns = [
    path("documents/<int:build_id>/", views.build_status, name="status"),
    path("documents/<int:build_id>/download/", views.build_download, name="download"),
    path("documents/<int:build_id>/retry/", views.build_retry, name="retry"),
]
