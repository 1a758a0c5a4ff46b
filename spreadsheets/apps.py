from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadsheetsConfig(AppConfig):
    name = "spreadsheets"
    verbose_name = _("Spreadsheets")

    def ready(self):
        from project.navigation import NavItem, register
        from spreadsheets import services, tasks

        # Importing the kinds registers their exporters and importers.
        from spreadsheets.kinds import expenses, ledger, rooms, submissions, users  # noqa: F401

        # The services queue jobs with this task; it imports them, so they cannot import it.
        services.job_task_register(tasks.run_job)

        from workflows.org.permissions import has_work_role

        register(
            NavItem(
                key="spreadsheets",
                label=_("Spreadsheets"),
                url_name="spreadsheets-index",
                order=80,
                visible=has_work_role,
            )
        )
