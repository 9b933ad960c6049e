from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Data protection"

    def ready(self) -> None:
        from privacy import exports
        from rp_portal.documents.registry import register

        register(exports.JSON_KIND, exports.subject_access_json)
        register(exports.PDF_KIND, exports.subject_access_pdf)
