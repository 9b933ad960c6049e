from django.urls import path

from evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("groups/<int:group_id>/evaluation/plan/", views.plan, name="plan"),
    path("groups/<int:group_id>/evaluation/", views.group_dashboard, name="group_dashboard"),
    path("my/questionnaires/", views.my_questionnaires, name="mine"),
    path("questionnaires/<int:window_id>/", views.answer, name="answer"),
    path("orgs/<int:org_id>/dashboard/", views.organisation_dashboard, name="dashboard"),
    path("orgs/<int:org_id>/dashboard.csv", views.organisation_csv, name="csv"),
    path("orgs/<int:org_id>/dashboard/report/", views.organisation_report, name="report"),
    path("orgs/<int:org_id>/measures/", views.measures, name="measures"),
]
