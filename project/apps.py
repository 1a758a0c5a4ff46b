from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "project"
    verbose_name = "Gongying"

    def ready(self):
        from project import checks  # noqa: F401  (registers system checks)
