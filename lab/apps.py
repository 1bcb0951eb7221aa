from django.apps import AppConfig


class LabConfig(AppConfig):
    name = "lab"
    verbose_name = "实验与基准"
