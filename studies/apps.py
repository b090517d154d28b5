from django.apps import AppConfig

# Framework models an operator of Uptake never edits (tokens are not stored, e-mail addresses are not
# verified, task results are shown on the workspace's job pages).
ADMIN_CLUTTER = ["account.EmailAddress", "socialaccount.SocialToken", "django_tasks_database.DBTaskResult"]


class StudiesConfig(AppConfig):
    name = "studies"
    verbose_name = "Studies"

    def ready(self) -> None:
        from studies import checks  # noqa: F401 (registers the system checks)
        # The admin registered every app's models before this runs (django.contrib.admin comes first).
        from django.apps import apps
        from django.contrib import admin

        for label in ADMIN_CLUTTER:
            model = apps.get_model(label)
            if admin.site.is_registered(model):
                admin.site.unregister(model)
