from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "rp_portal.documents"
    label = "documents"
    verbose_name = "Document builds"
