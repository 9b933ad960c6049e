from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation"

    def ready(self):
        from evaluation import receivers  # noqa: F401 -- keeps the kept figures up to date
        from evaluation.reports import REPORT_KIND, evaluation_report
        from rp_portal.documents.registry import register

        register(REPORT_KIND, evaluation_report)
