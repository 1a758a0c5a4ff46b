from django.apps import AppConfig


class EngineProcessConfig(AppConfig):
    name = "tests.approvals_tests.engine_process"
    label = "engine_process"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Engine test process"

    def ready(self):
        # Registered the way a process app registers itself: the kind and its own action.
        from tests.approvals_tests.engine_process import process, services
        from workflows.approvals import actions, registry

        actions.register(services.ANSWER)
        registry.register(process.TICKET)
