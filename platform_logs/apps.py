from django.apps import AppConfig


class PlatformLogsConfig(AppConfig):
    name = "platform_logs"
    verbose_name = "Platform usage logs"
