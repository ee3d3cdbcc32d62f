from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "sunshine.orgs"
    label = "orgs"
