from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation"

    def ready(self):
        from evaluation.reports import REPORT_KIND, evaluation_report
        from rp_portal.documents.registry import register

        register(REPORT_KIND, evaluation_report)
