from django.apps import AppConfig


class JournalsConfig(AppConfig):
    name = "journals"
    verbose_name = "Learning journals"

    def ready(self) -> None:
        from journals import exports
        from rp_portal.documents.registry import register

        register("journal-pdf", exports.journal_pdf)
        register("journal-markdown", exports.journal_markdown)
        register("reflective-account", exports.reflective_account)
