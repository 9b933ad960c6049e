from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from rp_portal.accounts.models import User

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Every person has a primary email address; verified unless ``verified=False``."""
        if create:
            EmailAddress.objects.create(
                user=obj, email=obj.email, primary=True, verified=extracted is not False
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.Organisation"

    name = factory.Sequence(lambda n: f"Organisation {n}")
    contact_email = factory.Sequence(lambda n: f"contact{n}@org.example.test")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A person in an organisation; practitioner unless roles are given."""

    class Meta:
        model = "groups.Membership"

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    is_practitioner = True


class PracticeGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.PracticeGroup"
        skip_postgeneration_save = True

    host = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    purpose = "Reflecting together on our casework."
    structure = "team"
    facilitation_model = "internal"

    @factory.post_generation
    def agreement(obj, create, extracted, **kwargs):
        if create:
            from groups.models import AgreementVersion

            AgreementVersion.objects.create(
                group=obj, number=1, text=extracted or "Be kind. Keep it here."
            )


class GroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.GroupMember"

    group = factory.SubFactory(PracticeGroupFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("group.host")
    role = "member"
