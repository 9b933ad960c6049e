"""Everything `manage.py demo_data` loads, feature by feature."""

from django.db import transaction

from evaluation.demo import demo_evaluation_load
from evaluation.figures_cache import figures_changed_on_commit
from groups.demo import demo_groups_load
from journals.demo import demo_journal_load
from rp_portal.accounts.demo import demo_accounts_load, demo_two_factor_load
from sessions.demo import demo_sessions_load


@transaction.atomic
def demo_load() -> None:
    people = demo_accounts_load()
    demo_groups_load(people)
    demo_sessions_load()
    demo_journal_load()
    demo_evaluation_load()
    demo_two_factor_load()
    figures_changed_on_commit()  # the demo's answers and registers go in by bulk insert, unsignalled
