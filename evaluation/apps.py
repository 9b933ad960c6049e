from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation"

    def ready(self) -> None:
        from evaluation.report import evaluation_report
        from rp_portal.documents.registry import register

        register("evaluation-report", evaluation_report)
