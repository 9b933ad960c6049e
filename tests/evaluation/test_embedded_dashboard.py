"""The dashboard's SQL (token lists, quarters in the site's zone) also runs in the embedded
mode, on SQLite: a fresh interpreter with no DATABASE_URL migrates, stores answers and reads
the same protected figures."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from django.core.management import call_command
call_command("migrate", verbosity=0)
from evaluation.dashboard import build_family
from evaluation.library import ensure_library
from evaluation.models import EvaluationPlan, Measure, QuestionnaireWindow, Response, Score
from groups.models import Organisation, PracticeGroup

ensure_library()
habits = Measure.objects.get(organisation=None, key="reflective-habits")
org = Organisation.objects.create(name="Embedded")
rows = {}
for name, size in [("Big", 7), ("Small", 3)]:
    group = PracticeGroup.objects.create(host=org, name=name, purpose="p", structure="team",
                                         facilitation_model="internal")
    plan = EvaluationPlan.objects.create(group=group, baseline_opens=datetime(2025, 2, 1).date())
    opens = datetime(2025, 2, 1, 12, tzinfo=ZoneInfo("Europe/London"))
    window = QuestionnaireWindow.objects.create(plan=plan, kind="baseline", opens_at=opens,
                                                closes_at=opens + timedelta(days=14))
    for person in range(size):
        response = Response.objects.create(window=window, pseudonym=f"{name}-{person:02d}" * 4)
        Score.objects.create(response=response, measure=habits, value=2.0 + person % 2)
    if name == "Big":  # a 3-month follow-up: each of the seven one point higher
        later = opens + timedelta(days=92)
        follow_up = QuestionnaireWindow.objects.create(
            plan=plan, kind="follow_up", months=3, opens_at=later,
            closes_at=later + timedelta(days=14))
        for person in range(size):
            response = Response.objects.create(window=follow_up,
                                               pseudonym=f"{name}-{person:02d}" * 4)
            Score.objects.create(response=response, measure=habits, value=3.0 + person % 2)
family = build_family(org)
block = family.measures[0].trend
rows = {row.label: [(str(q), f.shown, f.reason) for q, f in row.cells.items()]
        for row in block.rows}
rows["change"] = [(line.label, line.figure.shown, line.figure.extra.get("count"))
                  for line in family.measures[0].changes]
print(json.dumps(rows))
"""


def test_the_dashboard_figures_come_out_the_same_on_sqlite(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "rp_portal.settings",
        "RP_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    # Big: 7 people (four score 2, three score 3). Small: 3 people (2, 3, 2), so it is hidden;
    # the host's total (10 people) is shown, so Big is hidden too, or Small = total - Big.
    assert rows["Small"] == [["2025-01-01", None, "fewer than 5 responses"]]
    assert rows["Big"][0][1] is None
    assert rows["All groups hosted by Embedded"][0][1] == round((4 * 2 + 3 * 3 + 2 * 2 + 3) / 10, 2)
    # The change since the baseline, paired by pseudonym in SQL that SQLite runs too: all seven
    # pairs found. It is hidden: with the follow-up mean it would give Big's hidden baseline.
    assert ["Big", None, 7] in rows["change"]
