"""The journal world: Riverside (from the groups tests) with a second practitioner in Team RP,
a held session both attended, the operator's superuser, the author's entry carrying a marker in
its title, a tag and every section, and a learning point the author shared."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from groups.models import AgreementAcceptance
from journals.models import JournalEntry, ReflectiveTemplate, SharedLearning
from journals.services import learning_share
from sessions.models import GroupSession
from tests.factories import GroupMemberFactory, MembershipFactory, UserFactory
from tests.groups.conftest import World, world  # noqa: F401  (the fixture, used by name)
from tests.journals.support import attend, past_session, write_marked

SHARED_TEXT = "Naming the feeling before the plan slowed the whole team down, in a good way."


@dataclass
class JournalWorld:
    world: World
    peer: object  # another practitioner in Team RP
    superuser: object  # the operator's Django admin
    session: GroupSession  # held; the author and the peer attended
    entry: JournalEntry  # the author's, every text field marked
    item: SharedLearning  # a point the author shared with Team RP
    template: ReflectiveTemplate  # Riverside's own

    @property
    def author(self):
        return self.world.practitioner

    @property
    def group(self):
        return self.world.group

    @property
    def org(self):
        return self.world.org

    def person(self, role: str):
        return {
            "anonymous": None,
            "practitioner": self.world.practitioner,
            "author": self.world.practitioner,
            "peer": self.peer,
            "facilitator": self.world.facilitator,
            "manager": self.world.manager,
            "org_admin": self.world.admin,
            "outsider": self.world.outsider,
            "superuser": self.superuser,
        }[role]


@pytest.fixture
def journal(world) -> JournalWorld:  # noqa: F811
    peer = MembershipFactory(organisation=world.org, user__display_name="Petra Peerington").user
    GroupMemberFactory(group=world.group, user=peer)
    for user in (world.practitioner, peer, world.facilitator):
        AgreementAcceptance.objects.get_or_create(
            version=world.group.agreement_versions.first(), user=user
        )
    superuser = UserFactory(is_staff=True, is_superuser=True, display_name="Olive Operator")
    session = past_session(world.group)
    attend(session, world.practitioner)
    attend(session, peer)
    entry = write_marked(world.practitioner, session=session)
    item = learning_share(author=world.practitioner, group_id=world.group.pk, text=SHARED_TEXT)
    template = ReflectiveTemplate.objects.create(
        organisation=world.org,
        name="Riverside supervision prep",
        sections=[
            {"title": "The case", "prompts": ["Who, in initials?"]},
            {"title": "My worry", "prompts": ["What keeps you up?"]},
        ],
    )
    return JournalWorld(world, peer, superuser, session, entry, item, template)


@pytest.fixture
def media(settings, tmp_path):
    """Document builds write their files here."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
