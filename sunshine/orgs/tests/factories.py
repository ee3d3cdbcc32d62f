import factory

from sunshine.accounts.models import User
from sunshine.orgs.models import Membership, Organization, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("correct horse battery")


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"B{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}区教育局")
    kind = Organization.Kind.BUREAU
    region_code = "350302"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}股室")
    kind = Organization.Kind.DEPARTMENT
    parent = factory.SubFactory(BureauFactory)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}小学")
    kind = Organization.Kind.SCHOOL
    level = Organization.Level.PRIMARY
    ownership = Organization.Ownership.PUBLIC
    parent = factory.SubFactory(BureauFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(SchoolFactory)
    role = Role.SCHOOL_CLERK
