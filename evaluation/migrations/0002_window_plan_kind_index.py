"""An index on questionnaire windows by (plan, kind).

The dashboards' "change since baseline" query looks up each follow-up answer's baseline window
by plan and kind. Without this index PostgreSQL chose to read every score and every response
and then filter by group: 645 ms for one group's dashboard on the 10S benchmark data (225,700
scores), 13 ms with it (EXPLAIN ANALYZE, docs/benchmarks.md "Pages at scale").

Plain SQL so that evaluation/models.py is unchanged; the index can move into the model's
Meta.indexes (with state_operations here) whenever that file is next edited.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS evaluation_window_plan_kind "
            "ON evaluation_questionnairewindow (plan_id, kind)",
            reverse_sql="DROP INDEX IF EXISTS evaluation_window_plan_kind",
        )
    ]
